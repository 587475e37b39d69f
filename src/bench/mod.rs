//! Benchmarks that print figures: `burenlijn bench load` and `burenlijn bench match`.
//! Not tests: nothing here passes or fails on a number.

pub mod crash;
pub mod desk;
pub mod load;
pub mod matching;

/// The `p`-th percentile (0..=100) of sorted values, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&v, 50.0), 50.0);
        assert_eq!(super::percentile(&v, 99.0), 99.0);
        assert_eq!(super::percentile(&v, 100.0), 100.0);
        assert_eq!(super::percentile(&[3.0], 99.0), 3.0);
        assert_eq!(super::percentile(&[], 50.0), 0.0);
    }
}

//! Desk logins that cannot take the phone line down: the passwords (argon2id), the one
//! thread that hashes them, and the slow-down of wrong passwords.
//!
//! An argon2id hash takes 19 MiB for a moment. Run on the blocking pool, a burst of 100
//! logins held about 2 GB, and glibc kept it afterwards (one arena per thread): the
//! service's memory cap would have killed the whole switchboard. Here every hash runs on
//! one thread of its own, behind a short queue; a login beyond the queue is told to try
//! again in a moment. Each attempt is counted before its hash, so a burst at one account
//! is refused after the free attempts instead of all being checked at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use std::cell::RefCell;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::domain::desk::LoginFailures;

/// Runs argon2 into `out` with this thread's block buffer, allocated once and reused.
///
/// The crate's own `hash_password` allocates its 19 MiB afresh each time, aligned to 64
/// bytes; glibc did not reuse those blocks: every check, even one at a time on one
/// thread, kept another 19 MiB (eight logins: 185 MB). A buffer per thread is 19 MiB for
/// good, however many passwords it checks.
fn argon2_into(argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    thread_local!(static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) });
    BLOCKS.with_borrow_mut(|blocks| {
        let need = argon.params().block_count();
        if blocks.len() < need {
            *blocks = vec![Block::default(); need];
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..])
    })
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes), as a PHC
/// string that holds its own salt and parameters. Slow on purpose: in the service, run it
/// through `Hasher::run`.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness for a salt: {e}"))?;
    let argon = Argon2::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon, password.as_bytes(), &salt, &mut out)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored hash (in constant time). A missing account is
/// checked against a throw-away hash, so the answer takes as long either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("no such user, no such password").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    matches_hash(password, hash) && real
}

fn matches_hash(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version.unwrap_or_default(), params);
    if argon2_into(&argon, password.as_bytes(), salt, &mut out).is_err() {
        return false;
    }
    // `Output`'s equality is constant time.
    Output::new(&out).is_ok_and(|got| got == expected)
}

/// Logins waiting for the hasher beyond the one being hashed; more are told to wait.
pub const HASH_QUEUE: usize = 16;

/// The hasher's queue is full: try again in a moment.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send>;

/// One thread that runs every password hash of the service, one at a time, so at most
/// one hash's memory is ever in use, and a core stays free for the phone line.
pub struct Hasher {
    jobs: SyncSender<Job>,
}

impl Hasher {
    pub fn start() -> Hasher {
        let (jobs, queue) = sync_channel::<Job>(HASH_QUEUE);
        std::thread::Builder::new()
            .name("password-hasher".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            })
            .expect("a thread for hashing passwords");
        Hasher { jobs }
    }

    /// Queues `work` for the hasher's thread at once (not when first polled); the result
    /// says it was busy when the queue was full.
    pub fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T, Busy>> {
        let (tell, told) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tell.send(work());
        });
        let queued = match self.jobs.try_send(job) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        };
        async move {
            if !queued {
                return Err(Busy);
            }
            told.await.map_err(|_| Busy)
        }
    }
}

/// Where a login attempt comes from: the account name typed and the client's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    account: String,
    address: IpAddr,
    /// How long to hold the attempt before checking it (the address's slow-down).
    pub delay: Duration,
}

/// More entries than this in either map: the ones no longer slowing anything are dropped.
const MAX_ENTRIES: usize = 10_000;

/// Wrong passwords per account name and per client address, in memory (a restart
/// forgets them, which only ever makes the wait shorter). An account is slowed down and
/// then refused until its wait has passed (the name typed, known or not, so the answer
/// tells nothing about which names exist); an address is only slowed down.
#[derive(Default)]
pub struct Throttle {
    accounts: Mutex<HashMap<String, LoginFailures>>,
    addresses: Mutex<HashMap<IpAddr, LoginFailures>>,
}

impl Throttle {
    /// Counts an attempt before its password is checked (as if it failed; `succeeded` and
    /// `not_checked` take that back). `Err(seconds)`: the account must wait that long, and
    /// the attempt is not counted.
    pub fn begin(&self, account: &str, address: IpAddr, now: i64) -> Result<Attempt, i64> {
        let account = account.trim().to_lowercase();
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let wait = accounts.get(&account).map(|f| f.wait_seconds(now)).unwrap_or(0);
        if wait > 0 {
            return Err(wait);
        }
        if accounts.len() >= MAX_ENTRIES {
            // Someone is trying many names: keep the slow-down, drop the oldest entries.
            accounts.retain(|_, f| !f.forgotten(now));
        }
        accounts.entry(account.clone()).or_default().failed(now);
        drop(accounts);
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        if addresses.len() >= MAX_ENTRIES {
            addresses.retain(|_, f| !f.forgotten(now));
        }
        let failures = addresses.entry(address).or_default();
        if failures.forgotten(now) {
            *failures = LoginFailures::default();
        }
        failures.failed(now);
        let delay = Duration::from_secs(failures.address_delay_seconds());
        Ok(Attempt { account, address, delay })
    }

    /// The password was wrong: the account's wait runs from now, when the answer is
    /// known (the attempt was counted when it began, and may have been held since).
    pub fn failed(&self, attempt: &Attempt, now: i64) {
        if let Some(f) = self.accounts.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&attempt.account) {
            f.last_at = f.last_at.max(now);
        }
        if let Some(f) = self.addresses.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&attempt.address) {
            f.last_at = f.last_at.max(now);
        }
    }

    /// The password was right: the account starts afresh; the address only loses this
    /// attempt, so logging in between guesses does not wipe out the guesses.
    pub fn succeeded(&self, attempt: &Attempt) {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).remove(&attempt.account);
        self.take_back_address(attempt);
    }

    /// The attempt was never checked (the hasher was busy): it does not count.
    pub fn not_checked(&self, attempt: &Attempt) {
        if let Some(f) = self.accounts.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&attempt.account) {
            f.count = f.count.saturating_sub(1);
        }
        self.take_back_address(attempt);
    }

    fn take_back_address(&self, attempt: &Attempt) {
        if let Some(f) = self.addresses.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&attempt.address) {
            f.count = f.count.saturating_sub(1);
        }
    }

    /// Entries kept (accounts, addresses).
    pub fn len(&self) -> (usize, usize) {
        (
            self.accounts.lock().unwrap_or_else(|p| p.into_inner()).len(),
            self.addresses.lock().unwrap_or_else(|p| p.into_inner()).len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9));
    const PROXY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("de kat zit op de mat").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("de kat zit op de mat", Some(&hash)));
        assert!(!verify_password("de kat zit op de mat ", Some(&hash)));
        assert!(!verify_password("de kat zit op de mat", None));
        assert!(!verify_password("x", Some("not a hash")));
        // The same PHC strings as the crate's own hasher and verifier, both ways.
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let theirs = Argon2::default()
            .hash_password(b"een zin van de desk", &SaltString::encode_b64(b"zout zout zout!!").unwrap())
            .unwrap()
            .to_string();
        assert!(verify_password("een zin van de desk", Some(&theirs)));
        assert!(!verify_password("een zin van de desk.", Some(&theirs)));
        assert!(Argon2::default().verify_password(b"de kat zit op de mat", &PasswordHash::new(&hash).unwrap()).is_ok());
    }

    #[test]
    fn a_burst_at_one_account_is_counted_before_any_hash() {
        let throttle = Throttle::default();
        // Sixty at once, none of them checked yet: only the free five go ahead.
        let admitted = (0..60).filter(|_| throttle.begin("Els", HOME, 1000).is_ok()).count();
        assert_eq!(admitted, 5);
        assert_eq!(throttle.begin(" els ", HOME, 1000), Err(2), "the name as typed, trimmed and in any case");
        let late = throttle.begin("Els", HOME, 1002).expect("after the wait, one more try");
        // Held four seconds by the address, it fails: the next wait runs from its answer.
        throttle.failed(&late, 1006);
        assert_eq!(throttle.begin("Els", HOME, 1006), Err(4));
    }

    #[test]
    fn other_peoples_failures_on_an_address_slow_a_right_password_down_but_never_refuse_it() {
        let throttle = Throttle::default();
        for i in 0..40 {
            let _ = throttle.begin(&format!("guess-{i}"), PROXY, 1000);
        }
        let els = throttle.begin("Els", PROXY, 1000).expect("never refused for the address");
        assert_eq!(els.delay, Duration::from_secs(crate::domain::desk::MAX_ADDRESS_DELAY_SECONDS));
        // A login between guesses takes back only its own count: the guesses still count.
        throttle.succeeded(&els);
        let next = throttle.begin("guess-41", PROXY, 1000).unwrap();
        assert_eq!(next.delay, Duration::from_secs(crate::domain::desk::MAX_ADDRESS_DELAY_SECONDS));
        // Another address is not slowed down at all; a quarter of an hour later neither is this one.
        assert_eq!(throttle.begin("Els", HOME, 1000).unwrap().delay, Duration::ZERO);
        assert_eq!(throttle.begin("Piet", PROXY, 1000 + 15 * 60).unwrap().delay, Duration::ZERO);
    }

    #[test]
    fn a_success_clears_the_account_and_an_unchecked_attempt_does_not_count() {
        let throttle = Throttle::default();
        for _ in 0..4 {
            throttle.begin("Els", HOME, 1000).unwrap();
        }
        let busy = throttle.begin("Els", HOME, 1000).unwrap();
        throttle.not_checked(&busy);
        let right = throttle.begin("Els", HOME, 1000).unwrap();
        throttle.succeeded(&right);
        for _ in 0..5 {
            throttle.begin("Els", HOME, 1000).unwrap();
        }
        assert!(throttle.begin("Els", HOME, 1000).is_err());
    }

    #[test]
    fn many_names_do_not_grow_the_maps_without_bound() {
        let throttle = Throttle::default();
        for i in 0..(3 * MAX_ENTRIES as u32) {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(i));
            let _ = throttle.begin(&format!("name-{i}"), address, i64::from(i / MAX_ENTRIES as u32) * 3600);
        }
        let (accounts, addresses) = throttle.len();
        assert!(accounts <= MAX_ENTRIES && addresses <= MAX_ENTRIES, "{accounts} {addresses}");
    }

    #[tokio::test]
    async fn the_hasher_runs_one_at_a_time_and_says_when_its_queue_is_full() {
        let hasher = Hasher::start();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let blocked = hasher.run(move || gate.recv().is_ok());
        // One job runs (held at the gate) and HASH_QUEUE wait: of these, two at least are
        // refused at once.
        let more: Vec<_> = (0..HASH_QUEUE + 2).map(|i| hasher.run(move || i)).collect();
        release.send(()).unwrap();
        assert_eq!(blocked.await, Ok(true));
        let results = futures_util::future::join_all(more).await;
        let refused = results.iter().filter(|r| r == &&Err(Busy)).count();
        assert!((2..=3).contains(&refused), "{results:?}");
        assert!(results.iter().filter_map(|r| r.as_ref().ok()).all(|i| *i < HASH_QUEUE + 2));
        assert_eq!(hasher.run(|| 7).await, Ok(7), "it takes work again once the queue has room");
    }
}

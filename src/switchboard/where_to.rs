//! Help for later's "where to" (issue 28) as the phone uses it: the token that names a
//! recording in the URL the provider plays it from, the path a helper's document plays,
//! and our copy served to the provider (`web`'s `/audio/where/{token}`).

use rusqlite::Connection;

use super::Switchboard;
use crate::store::planned_where;

/// Where, under the audio base URL, "where to" recordings are played from.
pub const AUDIO: &str = "where/";

/// The name of a "where to" in the URL it is played from: 128 random bits, so it cannot be
/// guessed; it is valid only while the recording is kept.
pub(super) fn token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The path (under the audio base URL) a helper who is asked or reminded about request
/// `id` hears its "where to" from, when our copy is there.
pub(super) fn path(conn: &Connection, id: i64, now: jiff::Timestamp) -> anyhow::Result<Option<String>> {
    Ok(planned_where::playable(conn, id, now)?.map(|token| format!("{AUDIO}{token}")))
}

/// Our copy of the "where to" named by `token`, for the provider to play to a helper: its
/// media type and audio, only while its request is to come.
pub async fn audio(sb: &Switchboard, token: String) -> anyhow::Result<Option<(String, Vec<u8>)>> {
    let now = sb.clock.now();
    let ok = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Ok(None);
    }
    sb.worker.run(move |store| store.read(|c| planned_where::audio(c, &token, now))).await?
}

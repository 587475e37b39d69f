//! PLACEHOLDER until the REST client branch is merged.
pub struct RestClient;
pub struct Recording {
    pub bytes: Vec<u8>,
    pub content_type: String,
}
impl RestClient {
    pub async fn fetch_recording_media(&self, _sid: &str) -> anyhow::Result<Recording> {
        anyhow::bail!("not yet")
    }
}
pub fn recording_sid_from_url(_url: &str) -> Option<String> {
    None
}

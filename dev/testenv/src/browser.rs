//! A real browser for the UI tests: Debian's headless Chromium driven through ChromeDriver's
//! W3C WebDriver protocol (plain JSON over HTTP on loopback, [`crate::http`]). Both packages
//! are installed with apt-get when missing ([`crate::debian`]).

use crate::http;
use crate::process::{Supervised, free_port};
use anyhow::{Context, Result, bail, ensure};
use base64::Engine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs Debian's chromium and chromium-driver when either is missing.
pub fn ensure_chromium() -> Result<(PathBuf, PathBuf)> {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    crate::debian::ensure(
        &["chromium", "chromium-driver"],
        "for the browser tests",
        present,
    )?;
    Ok((CHROMIUM.into(), CHROMEDRIVER.into()))
}

/// One headless Chromium session; ChromeDriver and the browser it started are killed on drop.
pub struct Browser {
    _driver: Supervised,
    address: String,
    session: String,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium of `width`×`height`; its log goes to `log`.
    pub async fn start(log: PathBuf, width: u32, height: u32) -> Result<Browser> {
        let (chromium, chromedriver) = tokio::task::spawn_blocking(ensure_chromium).await??;
        let port = free_port()?;
        let driver = Supervised::spawn_group(
            "chromedriver",
            &chromedriver,
            &[format!("--port={port}")],
            log,
        )?;
        let address = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while http::webdriver(&address, "GET", "/status", None)
            .await
            .is_err()
        {
            ensure!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", format!("--window-size={width},{height}")],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let session = call(&address, "POST", "/session", Some(&capabilities)).await?;
        let session = session["sessionId"]
            .as_str()
            .context("no session id")?
            .to_owned();
        Ok(Browser {
            _driver: driver,
            address,
            session,
        })
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.command("POST", "url", Some(&json!({"url": url})))
            .await
            .map(drop)
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub async fn eval(&self, script: &str) -> Result<Value> {
        let body = json!({"script": script, "args": []});
        self.command("POST", "execute/sync", Some(&body)).await
    }

    /// Evaluates `script` until it returns something other than `null` or `false`, within
    /// `timeout`; that value.
    pub async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.eval(script).await?;
            if !(value.is_null() || value == Value::Bool(false)) {
                return Ok(value);
            }
            if started.elapsed() > timeout {
                bail!("the page did not show {what} within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let encoded = self.command("GET", "screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().context("no screenshot")?)
            .context("the screenshot is not base64")?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// The console messages logged since the last call, as `LEVEL message`.
    pub async fn console(&self) -> Result<Vec<String>> {
        let entries = self
            .command("POST", "se/log", Some(&json!({"type": "browser"})))
            .await?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| format!("{} {}", e["level"].as_str().unwrap_or("?"), e["message"]))
            .collect())
    }

    async fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let path = format!("/session/{}/{path}", self.session);
        call(&self.address, method, &path, body).await
    }
}

/// One WebDriver command; its `value`, or the error WebDriver reported.
async fn call(address: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    let empty = json!({});
    let body = match method {
        "POST" => Some(body.unwrap_or(&empty)),
        _ => body,
    };
    let (code, text) = http::webdriver(address, method, path, body).await?;
    let answer: Value = serde_json::from_str(&text)
        .with_context(|| format!("{method} {path}: {code} {text:.200}"))?;
    if code != 200 {
        bail!("{method} {path}: {code} {}", answer["value"]);
    }
    Ok(answer["value"].clone())
}

//! What a page costs: its weight (the bytes of the page, its script and style, and its view:
//! the JSON `/api/<page>` answers, which is what the page's event stream sends first), and the
//! time to its first drawing in a real browser (`document.body.dataset.firstDrawMs`, which the
//! page sets to `performance.now()` when it has built its first view: milliseconds since the
//! navigation started).

use crate::paired::Spread;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use serde::Serialize;
use serde_json::Value;
use testenv::browser::Browser;

use super::plugin::Dashboard;

const TIMEOUT: Duration = Duration::from_secs(120);

/// A page of the dashboard.
#[derive(Clone, Debug, Serialize)]
pub struct Page {
    /// `fleet`, `cluster` or `workload`.
    pub name: &'static str,
    /// The address fragment that opens it, e.g. `#/cluster/member-0000`.
    pub fragment: String,
    /// The view it is drawn from, e.g. `/api/cluster/member-0000`.
    pub view: String,
    /// A script that returns `true` once the page shows what it must: the measured drawing is
    /// the right one, complete.
    #[serde(skip)]
    pub check: String,
}

/// Bytes of each part of a page, as served (the server does not compress).
#[derive(Clone, Debug, Serialize)]
pub struct Weight {
    pub html: usize,
    pub script: usize,
    pub style: usize,
    pub view: usize,
    pub total: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct PageResult {
    pub page: Page,
    pub weight: Weight,
    /// How long the dashboard takes to answer `/api/<page>` (a request from this process):
    /// the part of the first drawing spent computing and sending the view.
    pub view_ms: Spread,
    /// Time to first drawing, one per round.
    pub first_draw_ms: Vec<f64>,
    pub first_draw: Spread,
    /// When the frame of the first drawing ended (style, layout and paint done), one per round;
    /// `None` when that frame took under 50 ms, which Chromium does not report.
    pub frame_end_ms: Vec<Option<f64>>,
}

/// One page load: the first drawing, and the end of its frame if that frame was long.
#[derive(Clone, Copy, Debug)]
pub struct Draw {
    pub first_draw_ms: f64,
    pub frame_end_ms: Option<f64>,
}

/// `samples` requests for the page's view, one after the other; how long each took.
pub async fn serve_times(dashboard: &Dashboard, page: &Page, samples: usize) -> Result<Spread> {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = std::time::Instant::now();
        dashboard.get(&page.view).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(Spread::of(&times))
}

pub async fn weight(dashboard: &Dashboard, page: &Page) -> Result<Weight> {
    let html = dashboard.get("/").await?.len();
    let script = dashboard.get("/app.js").await?.len();
    let style = dashboard.get("/app.css").await?.len();
    let view = dashboard.get(&page.view).await?.len();
    Ok(Weight {
        html,
        script,
        style,
        view,
        total: html + script + style + view,
    })
}

/// `rounds` first drawings of every page, the pages interleaved within each round so that a
/// noisy moment of the shared machine spreads over all of them. A first, unrecorded round
/// warms the browser up (its processes, the script compiler) and checks that the pages log
/// no errors.
pub async fn first_draws(
    browser: &Browser,
    url: &str,
    pages: &[Page],
    rounds: usize,
) -> Result<Vec<Vec<Draw>>> {
    let mut draws = vec![Vec::with_capacity(rounds); pages.len()];
    for round in 0..=rounds {
        for (page, samples) in pages.iter().zip(&mut draws) {
            let draw = first_draw(browser, url, page).await?;
            if round == 0 {
                let errors: Vec<String> = browser
                    .console()
                    .await?
                    .into_iter()
                    .filter(|m| m.starts_with("SEVERE") || m.starts_with("WARNING"))
                    .collect();
                ensure!(
                    errors.is_empty(),
                    "console of the {} page: {errors:?}",
                    page.name
                );
            } else {
                samples.push(draw);
            }
        }
    }
    Ok(draws)
}

/// Opens the page from `about:blank` (a new address that differs from the last one only in its
/// fragment would not load the page again) and reads when it first drew.
async fn first_draw(browser: &Browser, url: &str, page: &Page) -> Result<Draw> {
    browser.goto("about:blank").await?;
    browser.goto(&format!("{url}{}", page.fragment)).await?;
    let drawn = browser
        .wait_for(
            &format!("the first drawing of the {} page", page.name),
            "return (document.body && document.body.dataset.firstDrawMs) || null;",
            TIMEOUT,
        )
        .await?;
    let ms: f64 = drawn
        .as_str()
        .context("firstDrawMs is not a string")?
        .parse()
        .with_context(|| format!("firstDrawMs {drawn}"))?;
    let shown = browser.eval(&page.check).await?;
    ensure!(
        shown == Value::Bool(true),
        "the {} page does not show what it must ({})",
        page.name,
        page.check
    );
    Ok(Draw {
        first_draw_ms: ms,
        frame_end_ms: frame_end(browser, ms).await?,
    })
}

/// `firstDrawMs` is taken when the page has built its view, before the browser styles, lays
/// out and paints it. Chromium's Long Animation Frames API reports every frame of 50 ms or more
/// with its start and duration (the buffered ones too): the one that contains the drawing ends
/// when the view is on screen.
async fn frame_end(browser: &Browser, drawn_ms: f64) -> Result<Option<f64>> {
    browser
        .eval(
            "window.__frames = undefined; \
             new PerformanceObserver((list, observer) => { \
               window.__frames = list.getEntries().map((e) => [e.startTime, e.duration]); \
               observer.disconnect(); \
             }).observe({type: 'long-animation-frame', buffered: true}); return true;",
        )
        .await?;
    // The buffered entries arrive in a task of their own; none at all means no long frame.
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let frames = browser.eval("return window.__frames || null;").await?;
        if let Some(frames) = frames.as_array() {
            return Ok(frames.iter().find_map(|frame| {
                let (start, duration) = (frame[0].as_f64()?, frame[1].as_f64()?);
                (start <= drawn_ms && drawn_ms <= start + duration).then_some(start + duration)
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_odd_and_even_counts() {
        let odd = Spread::of(&[5.0, 1.0, 3.0]);
        assert_eq!((odd.median, odd.min, odd.max), (3.0, 1.0, 5.0));
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert_eq!(Spread::of(&[]).median, 0.0);
    }
}

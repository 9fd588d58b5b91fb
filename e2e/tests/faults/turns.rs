//! Turns for a member's first list (`--member-sync-concurrency`): a member that hangs may take
//! the only turn, and the members registered after it wait — saying so on their insights —
//! only until its connection fails, not for as long as it hangs.

use super::common::{CONVERGE, alive, condition, insight, message, no_panics};
use crate::support::{self, eventually};
use anyhow::Result;
use karmada_manager_api::ClusterInsightStatus;
use std::time::{Duration, Instant};
use testenv::hanging::Hanging;
use testenv::join::{JoinOptions, Joiner, join, register};
use testenv::nodes::node;
use testenv::{EnvOptions, Environment, MemberOptions, bulk};

const HEALTHY: [&str; 2] = ["m1", "m2"];

/// How long the healthy members may take once registered: a connection attempt to the hanging
/// member fails after 10 s (the member connect timeout), well inside this; a turn that ended
/// only at its one-minute limit would not be.
const BEFORE_THE_TURN_LIMIT: Duration = Duration::from_secs(45);

fn synced(status: &ClusterInsightStatus) -> bool {
    condition(&status.conditions, "Ready") == Some(("True", "Synced")) && status.nodes.total == 1
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_member_holds_the_only_turn_until_its_connection_fails() -> Result<()> {
    let options = EnvOptions {
        crds: karmada_manager_api::crds(),
        members: HEALTHY
            .iter()
            .map(|name| MemberOptions {
                name: (*name).into(),
                join: None,
            })
            .collect(),
        ..EnvOptions::default()
    };
    let env = Environment::start(options).await?;
    let hub = env.hub().client().await?;
    for name in HEALTHY {
        bulk::create_nodes(&env.member(name).client().await?, &[node("n1")]).await?;
    }
    let hanging = Hanging::start().await?;
    register(
        &hub,
        "hang",
        hanging.url(),
        "token-of-a-member-that-never-answers",
        env.hub().ca_pem(),
        &JoinOptions::default(),
    )
    .await?;
    let mut operator = support::start_operator(&env, &["--member-sync-concurrency", "1"]).await?;

    // The hanging member has the only turn once the operator connects to it.
    eventually(
        "a connection to the hanging member",
        CONVERGE,
        || async { Ok(hanging.connections()) },
        |n| *n >= 1,
    )
    .await?;
    let registered = Instant::now();
    for name in HEALTHY {
        join(
            env.hub(),
            env.member(name),
            &JoinOptions::default(),
            Joiner::StandIn,
        )
        .await?;
    }
    let waiting = eventually(
        "m1 waits for a turn",
        CONVERGE,
        || insight(&hub, "m1"),
        |s| {
            condition(&s.conditions, "Ready") == Some(("False", "InitialSync"))
                && message(&s.conditions, "Ready").starts_with("waiting for a turn")
        },
    )
    .await?;
    eprintln!(
        "turns: m1 {:.1?} after it was registered: {}",
        registered.elapsed(),
        message(&waiting.conditions, "Ready")
    );

    for name in HEALTHY {
        eventually(
            &format!("{name} synced"),
            BEFORE_THE_TURN_LIMIT,
            || insight(&hub, name),
            synced,
        )
        .await?;
    }
    eprintln!(
        "turns: both healthy members synced {:.1?} after they were registered",
        registered.elapsed()
    );
    let hang = insight(&hub, "hang").await?;
    assert_eq!(
        condition(&hang.conditions, "Ready"),
        Some(("False", "MemberUnreachable")),
        "{:#?}",
        hang.conditions
    );
    alive(&mut operator)?;
    no_panics(operator.collect())?;
    Ok(())
}

//! One context per transaction of the switchboard (issue 26 §3): the connection, the
//! switchboard, the clock's value for the whole transaction, and the commands to carry out
//! after the commit. A use case takes `&mut Tx` instead of threading
//! `(tx, sb, now, out)` through every call.

use rusqlite::Connection;

use super::commands::{Command, Outbound};
use super::Switchboard;

pub struct Tx<'a> {
    /// The transaction (a savepoint of the writer's group commit).
    pub conn: &'a Connection,
    pub sb: &'a Switchboard,
    /// The clock, read once for the whole transaction.
    pub now: jiff::Timestamp,
    /// What to tell the provider once the transaction has committed.
    pub out: Outbound,
}

impl<'a> Tx<'a> {
    pub fn new(conn: &'a Connection, sb: &'a Switchboard, now: jiff::Timestamp) -> Tx<'a> {
        Tx { conn, sb, now, out: Outbound::default() }
    }

    /// The clock read now.
    pub fn starting_now(conn: &'a Connection, sb: &'a Switchboard) -> Tx<'a> {
        Tx::new(conn, sb, sb.clock.now())
    }

    pub fn tell(&mut self, command: Command) {
        self.out.push(command);
    }

    /// What to tell the provider, for `dispatch` after the commit.
    pub fn finish(self) -> Outbound {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::super::commands::Play;
    use super::super::test_support::{switchboard, TUESDAY_MORNING};
    use super::*;

    #[test]
    fn a_transaction_reads_the_clock_once_and_hands_on_what_it_was_told_in_order() {
        let sb = switchboard(false, TUESDAY_MORNING);
        let out = sb
            .store
            .write(|conn| {
                let mut t = Tx::starting_now(conn, &sb);
                assert_eq!(t.now, TUESDAY_MORNING.parse::<jiff::Timestamp>().unwrap());
                sb.clock.advance(60);
                assert_eq!(t.now, TUESDAY_MORNING.parse::<jiff::Timestamp>().unwrap(), "the transaction's own time");
                t.tell(Command::Changed("CA1".into()));
                t.tell(Command::Play(Play { leg_sid: "CA2".into(), twiml: "a".into() }));
                t.tell(Command::Play(Play { leg_sid: "CA2".into(), twiml: "b".into() }));
                Ok(t.finish())
            })
            .unwrap();
        let kinds: Vec<String> = out.commands().iter().map(|c| format!("{c:?}")).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(kinds[0].starts_with("Changed(\"CA1\")") && kinds[2].contains("twiml: \"b\""), "{kinds:?}");
    }
}

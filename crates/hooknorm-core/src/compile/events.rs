//! Events: the event type and id, the `map` table and rules, and the check that every event type
//! the spec can yield has its resource section.

use super::{Compiler, Target};
use crate::contract::{ResourceKind, WebhookEventType};
use crate::plan::*;
use crate::spec::*;

impl Compiler<'_> {
    pub(super) fn events(&mut self, spec: &ConnectorSpec) -> Events {
        let e = &spec.events;
        let event_type = self.value("events.type", &e.event_type, None, true);
        let id =
            e.id.as_ref()
                .map(|v| self.value("events.id", v, None, true));
        let mut map = Lookup::default();
        for (raw, name) in &e.map.0 {
            match WebhookEventType::from_name(name) {
                Some(t) => {
                    map.insert(raw.clone(), t);
                }
                None => self.err(
                    &format!("events.map.{raw}"),
                    format!("`{name}` is not a WebhookEventType"),
                ),
            }
        }
        let mut rules = Vec::new();
        for (i, r) in e.rules.iter().enumerate() {
            let key = format!("events.rules[{i}]");
            let event = match WebhookEventType::from_name(&r.event) {
                Some(t) => t,
                None => {
                    self.err(
                        &format!("{key}.event"),
                        format!("`{}` is not a WebhookEventType", r.event),
                    );
                    WebhookEventType::EventNotSupported
                }
            };
            if let Some(st) = &r.status {
                match Target::for_event(event) {
                    Some(t) if t.accepts(st) => {}
                    Some(t) => self.err(
                        &format!("{key}.status"),
                        format!("`{st}` is not a {} value (one of: {})", t.name(), t.names()),
                    ),
                    None => self.err(
                        &format!("{key}.status"),
                        format!("{event} has no resource to give a status to"),
                    ),
                }
            }
            let when = r.when.as_ref().map(|w| {
                let mut vars: Vec<&str> = TEMPLATE_BUILTINS.to_vec();
                let fields = self.fields.clone();
                vars.extend(fields.iter().map(|s| s.as_str()));
                self.template(
                    &format!("{key}.when"),
                    format!("{{% if {w} %}}1{{% endif %}}"),
                    &vars,
                )
            });
            if r.types.is_none() && r.when.is_none() {
                self.err(&key, "a rule needs `types`, `when` or both");
            }
            rules.push(Rule {
                types: r.types.as_ref().map(|t| t.to_vec().into_iter().collect()),
                when,
                event,
                status: r.status.clone(),
            });
        }
        let untyped_rules: Vec<usize> = (0..rules.len())
            .filter(|&i| rules[i].types.is_none())
            .collect();
        let mut rules_by_type: Lookup<Vec<usize>> = Lookup::default();
        for (i, r) in rules.iter().enumerate() {
            for t in r.types.iter().flatten() {
                rules_by_type
                    .entry(t.clone())
                    .or_insert_with(|| untyped_rules.clone())
                    .push(i);
            }
        }
        for list in rules_by_type.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Events {
            event_type,
            id,
            rules,
            rules_by_type,
            untyped_rules,
            map,
            incomplete: e.incomplete,
        }
    }

    /// Every event type the spec can yield needs its resource section.
    pub(super) fn check_resources(&mut self, spec: &ConnectorSpec, events: &Events) {
        let mut yielded: Vec<(String, WebhookEventType)> = events
            .map
            .iter()
            .map(|(raw, t)| (format!("events.map.{raw}"), *t))
            .collect();
        yielded.extend(
            events
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("events.rules[{i}].event"), r.event)),
        );
        yielded.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, t) in yielded {
            let (missing, section) = match t.resource() {
                Some(ResourceKind::Payment) => (spec.payment.is_none(), "payment"),
                Some(ResourceKind::Refund) => (spec.refund.is_none(), "refund"),
                Some(ResourceKind::Dispute) => (spec.dispute.is_none(), "dispute"),
                None => (false, ""),
            };
            if missing {
                self.err(
                    &key,
                    format!("{t} needs a `{section}` section to extract from"),
                );
            }
        }
    }
}

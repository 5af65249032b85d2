//! Values and templates: field values, amounts, text and minijinja templates, and the JSONPaths
//! they read, gathered into the projection tree.

use serde_json_path::JsonPath;

use super::{Compiler, Target};
use crate::plan::*;
use crate::projection::{plain_prefix, CompiledPath, Node, Projection, Seg};
use crate::spec::*;

impl Compiler<'_> {
    /// The projection tree: items path from the root, item paths below each item.
    pub(super) fn projection(&self) -> Projection {
        let mut root = Node::default();
        if self.has_items {
            // Items are found by their own path; item paths are kept in the tree below it.
            let (item_prefix, item_plain) = self.items_prefix.clone().unwrap_or((Vec::new(), true));
            root.insert(&item_prefix);
            for (segs, _) in &self.item_prefixes {
                let mut full: Vec<Seg> = item_prefix.clone();
                if item_plain {
                    full.extend(segs.iter().cloned());
                }
                root.insert(&full);
            }
        } else {
            for (segs, simple) in &self.item_prefixes {
                if !simple {
                    root.insert(segs);
                }
            }
            for (slot, steps) in self.slots.iter().enumerate() {
                root.insert_slot(steps, slot);
            }
        }
        Projection::new(root)
    }

    /// The items path, read once for the evaluator and for the projection.
    pub(super) fn jsonpath(&mut self, key: &str, path: &str) -> Option<JsonPath> {
        match JsonPath::parse(path) {
            Ok(p) => {
                self.items_prefix = Some(plain_prefix(path));
                Some(p)
            }
            Err(e) => {
                self.err(key, format!("invalid JSONPath `{path}`: {e}"));
                None
            }
        }
    }

    pub(super) fn item_path(&mut self, key: &str, path: &str) -> Option<CompiledPath> {
        match CompiledPath::parse_with_prefix(path) {
            Ok((mut p, segs, _)) => {
                self.item_prefixes.push((segs, p.steps().is_some()));
                if let (false, Some(steps)) = (self.has_items, p.steps()) {
                    let slot = match self.slots.iter().position(|s| s == steps) {
                        Some(i) => i,
                        None => {
                            self.slots.push(steps.to_vec());
                            self.slots.len() - 1
                        }
                    };
                    p.set_slot(slot);
                }
                Some(p)
            }
            Err(e) => {
                self.err(key, format!("invalid JSONPath `{path}`: {e}"));
                None
            }
        }
    }

    /// Compiles a value. `target` names the enum its `map` targets must belong to;
    /// `may_ref_fields` false (inside `fields`) forbids references to other fields, so fields
    /// never depend on each other.
    pub(super) fn value(
        &mut self,
        key: &str,
        v: &ValueSpec,
        target: Option<Target>,
        may_ref_fields: bool,
    ) -> ValuePlan {
        let full = match v {
            ValueSpec::Path(p) => FullValueSpec {
                path: Some(OneOrMany::One(p.clone())),
                ..Default::default()
            },
            ValueSpec::Full(f) => (**f).clone(),
        };
        let mut paths = Vec::new();
        if let Some(ps) = &full.path {
            for (i, p) in ps.to_vec().iter().enumerate() {
                let pk = match ps {
                    OneOrMany::One(_) => format!("{key}.path"),
                    OneOrMany::Many(_) => format!("{key}.path[{i}]"),
                };
                let pk = if matches!(v, ValueSpec::Path(_)) {
                    key.to_string()
                } else {
                    pk
                };
                if let Some(jp) = self.item_path(&pk, p) {
                    paths.push(jp);
                }
            }
        }
        let from = full
            .from
            .as_ref()
            .map(|s| self.source(&format!("{key}.from"), s, false));
        let field = full.field.as_ref().and_then(|f| {
            if !may_ref_fields {
                self.err(
                    &format!("{key}.field"),
                    "a field cannot refer to another field",
                );
                return None;
            }
            match self.fields.iter().position(|n| n == f) {
                Some(i) => Some(i),
                None => {
                    self.err(
                        &format!("{key}.field"),
                        format!("no field `{f}` is declared under `fields`"),
                    );
                    None
                }
            }
        });
        let template = full.template.as_ref().map(|t| {
            if may_ref_fields {
                self.text(&format!("{key}.template"), t)
            } else {
                // Templates inside `fields` may use built-ins only.
                self.text_with_vars(&format!("{key}.template"), t, TEMPLATE_BUILTINS)
            }
        });
        let has_path = full.path.as_ref().is_some_and(|p| !p.to_vec().is_empty());
        if !has_path
            && full.from.is_none()
            && full.field.is_none()
            && full.template.is_none()
            && full.default.is_none()
        {
            self.err(
                key,
                "give a `path`, `from`, `field`, `template` or `default`",
            );
        }
        if let (Some(map), Some(t)) = (&full.map, target) {
            for (raw, to) in &map.0 {
                if !t.accepts(to) {
                    self.err(
                        &format!("{key}.map.{raw}"),
                        format!("`{to}` is not a {} value (one of: {})", t.name(), t.names()),
                    );
                }
            }
        }
        if let (Some(d), Some(t)) = (&full.default, target) {
            if !t.accepts(d) {
                self.err(
                    &format!("{key}.default"),
                    format!("`{d}` is not a {} value (one of: {})", t.name(), t.names()),
                );
            }
        }
        let only_paths = from.is_none()
            && field.is_none()
            && template.is_none()
            && full.map.is_none()
            && full.default.is_none()
            && full.convert.is_none();
        ValuePlan {
            at: self.at(key),
            paths,
            from,
            field,
            template,
            map: full.map.map(|m| {
                m.0.into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect()
            }),
            default: full.default,
            convert: full.convert,
            only_paths,
        }
    }

    pub(super) fn text(&mut self, key: &str, t: &str) -> Text {
        let mut vars: Vec<&str> = TEMPLATE_BUILTINS.to_vec();
        let fields = self.fields.clone();
        vars.extend(fields.iter().map(|s| s.as_str()));
        self.text_with_vars(key, t, &vars)
    }

    fn text_with_vars(&mut self, key: &str, t: &str, vars: &[&str]) -> Text {
        if let Some(segs) = simple_template(t) {
            for s in &segs {
                if let TextSeg::Var(v) = s {
                    if !vars.contains(&v.as_str()) {
                        self.err(key, format!("unknown variable `{v}` in template"));
                    }
                }
            }
            return Text::Simple(segs);
        }
        Text::Jinja(self.template(key, t.to_string(), vars))
    }

    /// Compiles a minijinja template named by its spec key; its variables must be `vars`.
    pub(super) fn template(&mut self, key: &str, source: String, vars: &[&str]) -> Template {
        let mut template = Template {
            at: self.at(key),
            uses_signature: false,
        };
        if let Err(e) = self.env.add_template_owned(key.to_string(), source) {
            self.err(key, format!("template does not compile: {e}"));
            return template;
        }
        let tmpl = self.env.get_template(key).expect("template was just added");
        let declared = tmpl.undeclared_variables(false);
        template.uses_signature = declared.contains("signature");
        let mut unknown: Vec<String> = declared
            .into_iter()
            .filter(|v| !vars.contains(&v.as_str()))
            .collect();
        unknown.sort();
        for v in unknown {
            self.err(key, format!("unknown variable `{v}` in template"));
        }
        template
    }

    /// Compiles an optional value.
    pub(crate) fn opt(
        &mut self,
        key: &str,
        v: &Option<ValueSpec>,
        t: Option<Target>,
    ) -> Option<ValuePlan> {
        v.as_ref().map(|v| self.value(key, v, t, true))
    }

    /// Compiles an optional amount.
    pub(crate) fn money(&mut self, key: &str, m: &Option<MoneySpec>) -> Option<MoneyPlan> {
        m.as_ref().map(|m| MoneyPlan {
            value: self.value(&format!("{key}.value"), &m.value, None, true),
            currency: self.value(&format!("{key}.currency"), &m.currency, None, true),
            unit: m.unit,
        })
    }
}

/// `Some` when a template is only literal text and `{{ name }}` substitutions.
fn simple_template(t: &str) -> Option<Vec<TextSeg>> {
    if t.contains("{%") || t.contains("{#") {
        return None;
    }
    let mut segs = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            segs.push(TextSeg::Lit(rest[..start].to_string()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        segs.push(TextSeg::Var(name.to_string()));
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return None;
    }
    if !rest.is_empty() {
        segs.push(TextSeg::Lit(rest.to_string()));
    }
    Some(segs)
}

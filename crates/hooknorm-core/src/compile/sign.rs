//! The `sign` recipe: how test webhooks are signed (params, headers, form field, item field).

use super::Compiler;
use crate::plan::*;
use crate::spec::*;

/// Variables of `sign` templates.
const SIGN_VARS: &[&str] = &[
    "now",
    "now_rfc3339",
    "body_sha256",
    "params",
    "signature",
    "scheme",
    "key_id",
];

impl Compiler<'_> {
    pub(super) fn sign_recipe(&mut self, r: &SignRecipe, spec: &ConnectorSpec) -> SignPlan {
        let params = self.sign_templates("sign.params", &r.params.0);
        let headers = self.sign_templates("sign.headers", &r.headers.0);
        let form_field = r.form_field.as_ref().map(|f| {
            if !matches!(spec.body.format, BodyFormat::Form | BodyFormat::FormOrQuery) {
                self.err("sign.form_field", "needs `body.format: form`");
            }
            (
                f.name.clone(),
                self.sign_template("sign.form_field.value", &f.value),
            )
        });
        let item_scope = spec
            .signature
            .as_ref()
            .is_some_and(|s| s.schemes.iter().any(|x| x.scope == Scope::Item));
        match (&r.item_field, item_scope) {
            (Some(f), true) if f.is_empty() || f.split('.').any(str::is_empty) => {
                self.err("sign.item_field", "dot-separated member names")
            }
            (Some(_), false) => self.err("sign.item_field", "only for `scope: item` schemes"),
            (None, true) => self.err("sign", "item-scope signatures need `item_field`"),
            _ => {}
        }
        SignPlan {
            params,
            headers,
            item_field: r.item_field.clone(),
            form_field,
        }
    }

    /// The named templates of one `sign` map (`sign.params`, `sign.headers`), in name order.
    fn sign_templates(
        &mut self,
        section: &str,
        map: &std::collections::BTreeMap<String, String>,
    ) -> Vec<(String, Template)> {
        map.iter()
            .map(|(name, t)| {
                (
                    name.clone(),
                    self.sign_template(&format!("{section}.{name}"), t),
                )
            })
            .collect()
    }

    fn sign_template(&mut self, key: &str, t: &str) -> Template {
        self.template(key, t.to_string(), SIGN_VARS)
    }
}

//! Signatures: sources of request and item values, the signature section, its schemes and keys,
//! and references to declared secrets.

use std::collections::HashSet;

use super::Compiler;
use crate::plan::*;
use crate::projection::CompiledPath;
use crate::spec::*;

impl Compiler<'_> {
    fn secret_ref(&mut self, key: &str, name: &str) {
        if !self.secrets.contains(name) {
            self.err(
                key,
                format!("secret `{name}` is not declared under `secrets`"),
            );
        }
    }

    /// Compiles a source. `request_level` forbids `field` (no item exists yet).
    pub(super) fn source(&mut self, key: &str, s: &SourceSpec, request_level: bool) -> Source {
        let mut kinds = Vec::new();
        if let Some(h) = &s.header {
            let names = h.to_vec();
            if names.is_empty() || names.iter().any(|n| n.is_empty()) {
                self.err(key, "header names cannot be empty");
            }
            kinds.push(SourceKind::Header(names));
        }
        if let Some(p) = &s.param {
            kinds.push(SourceKind::Param(p.clone()));
        }
        if let Some(q) = &s.query {
            kinds.push(SourceKind::Query(q.clone()));
        }
        if let Some(f) = &s.form_field {
            kinds.push(SourceKind::FormField(f.clone()));
        }
        if let Some(f) = &s.field {
            if request_level {
                self.err(
                    &format!("{key}.field"),
                    "a request-level value cannot read a field of the document; use `scope: item` for signatures inside the body",
                );
            }
            if let Some(p) = self.item_path(&format!("{key}.field"), f) {
                kinds.push(SourceKind::Field(p));
            } else {
                kinds.push(SourceKind::Literal(String::new()));
            }
        }
        if let Some(l) = &s.literal {
            kinds.push(SourceKind::Literal(l.clone()));
        }
        if let Some(sec) = &s.secret {
            self.secret_ref(&format!("{key}.secret"), sec);
            kinds.push(SourceKind::Secret(sec.clone()));
        }
        if let Some(b) = s.body {
            if !b {
                self.err(&format!("{key}.body"), "write `body: true` or leave it out");
            }
            kinds.push(SourceKind::Body);
        }
        if let Some(part) = s.url {
            if !s.remove_query.is_empty()
                && !matches!(part, UrlPart::Full | UrlPart::Query | UrlPart::PathAndQuery)
            {
                self.err(
                    &format!("{key}.remove_query"),
                    "`remove_query` needs `url: full`, `query` or `path_and_query`",
                );
            }
            if s.default_port == DefaultPort::Optional && part != UrlPart::Full {
                self.err(
                    &format!("{key}.default_port"),
                    "`default_port` needs `url: full`",
                );
            }
            kinds.push(SourceKind::Url(UrlSource {
                part,
                remove_query: s.remove_query.clone(),
                port_optional: s.default_port == DefaultPort::Optional,
            }));
        } else {
            if !s.remove_query.is_empty() {
                self.err(
                    &format!("{key}.remove_query"),
                    "`remove_query` needs `url: full`, `query` or `path_and_query`",
                );
            }
            if s.default_port != DefaultPort::AsSent {
                self.err(
                    &format!("{key}.default_port"),
                    "`default_port` needs `url: full`",
                );
            }
        }
        for (i, name) in s.remove_query.iter().enumerate() {
            if name.is_empty() {
                self.err(&format!("{key}.remove_query[{i}]"), "cannot be empty");
            }
        }
        if let Some(p) = &s.sorted_params {
            for (i, name) in p.exclude.iter().enumerate() {
                if name.is_empty() {
                    self.err(
                        &format!("{key}.sorted_params.exclude[{i}]"),
                        "cannot be empty",
                    );
                }
            }
            kinds.push(SourceKind::SortedParams(SortedParams {
                from: p.from,
                exclude: p.exclude.clone(),
                assign: p.assign.clone(),
                separator: p.separator.clone(),
                repeated: p.repeated,
            }));
        }
        if let Some(lv) = &s.json_leaf_values {
            kinds.push(self.leaf_values(key, lv, request_level));
        }
        if kinds.len() != 1 {
            self.err(
                key,
                format!(
                    "give exactly one of header, param, query, form_field, field, literal, secret, body, url, sorted_params, json_leaf_values (found {})",
                    kinds.len()
                ),
            );
        }
        Source {
            kind: kinds.pop().unwrap_or(SourceKind::Literal(String::new())),
            default: s.default.clone(),
            transforms: s.transform.clone(),
        }
    }

    /// Compiles `json_leaf_values`: item scope only; exclusions are plain chains. The whole
    /// item is kept by the projection, since every leaf is read.
    fn leaf_values(
        &mut self,
        key: &str,
        lv: &JsonLeafValuesSpec,
        request_level: bool,
    ) -> SourceKind {
        let key = format!("{key}.json_leaf_values");
        if request_level {
            self.err(
                &key,
                "a request-level value cannot read the document's values; use `scope: item` for signatures inside the body",
            );
        }
        let mut exclude = Vec::new();
        for (i, path) in lv.exclude.iter().enumerate() {
            let at = format!("{key}.exclude[{i}]");
            match CompiledPath::parse_with_prefix(path) {
                Ok((p, _, _)) => match p.steps() {
                    Some(steps) if !steps.is_empty() => exclude.push(steps.to_vec()),
                    _ => self.err(
                        &at,
                        format!("`{path}` must be a plain path to one value below the item (member names and indexes), such as `$.Signature`"),
                    ),
                },
                Err(e) => self.err(&at, format!("invalid JSONPath `{path}`: {e}")),
            }
        }
        if lv.number_decimals.is_some_and(|d| d > 20) {
            self.err(&format!("{key}.number_decimals"), "at most 20 decimals");
        }
        // Every leaf is read: the projection keeps the item whole.
        self.item_prefixes.push((Vec::new(), false));
        SourceKind::JsonLeafValues(LeafValues {
            exclude,
            number_decimals: lv.number_decimals,
            null: lv.null.clone(),
            order: lv.order,
            separator: lv.separator.clone(),
        })
    }

    pub(super) fn signature(&mut self, s: &SignatureSpec) -> Option<Signature> {
        if s.schemes.is_empty() {
            self.err("signature.schemes", "give at least one scheme");
        }
        let scopes: HashSet<Scope> = s.schemes.iter().map(|x| x.scope).collect();
        if scopes.len() > 1 {
            self.err("signature.schemes", "all schemes must have the same scope");
        }
        let schemes: Vec<Scheme> = s
            .schemes
            .iter()
            .enumerate()
            .map(|(i, sc)| self.scheme(&format!("signature.schemes[{i}]"), sc))
            .collect();
        let has_params = s.schemes.iter().any(|x| {
            matches!(
                x.signature.format,
                SigFormat::Params { .. } | SigFormat::Fields { .. }
            )
        });
        let timestamp = s.timestamp.as_ref().map(|t| {
            let from = self.source("signature.timestamp.from", &t.from, true);
            if matches!(from.kind, SourceKind::Param(_)) && !has_params {
                self.err(
                    "signature.timestamp.from.param",
                    "`param` needs a scheme whose signature format is `params`",
                );
            }
            Timestamp {
                at: self.at("signature.timestamp"),
                from,
                unit: t.unit,
                past: t.past_seconds,
                future: t.future_seconds,
            }
        });
        let checks = s
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key = format!("signature.checks[{i}]");
                if c.one_of.is_empty() && c.https_host.is_empty() && c.equals.is_none() {
                    self.err(&key, "a check needs `one_of`, `https_host` or `equals`");
                }
                Check {
                    value: self.source(&format!("{key}.value"), &c.value, true),
                    equals: c
                        .equals
                        .as_ref()
                        .map(|e| self.source(&format!("{key}.equals"), e, true)),
                    one_of: c.one_of.clone(),
                    https_host: c
                        .https_host
                        .iter()
                        .map(|h| h.to_ascii_lowercase())
                        .collect(),
                    error: c.error.unwrap_or(CheckError::InvalidSignature),
                }
            })
            .collect();
        Some(Signature {
            at: self.at("signature"),
            required: s.required,
            item_scope: scopes.contains(&Scope::Item),
            schemes,
            timestamp,
            checks,
        })
    }

    fn key_spec(&mut self, key: &str, k: &KeySpec, alg: Algorithm, signing: bool) {
        if k.secrets.is_empty() {
            self.err(&format!("{key}.secrets"), "name at least one secret");
        }
        for (i, s) in k.secrets.iter().enumerate() {
            self.secret_ref(&format!("{key}.secrets[{i}]"), s);
        }
        if k.prefix_required && k.prefix.is_none() {
            self.err(&format!("{key}.prefix_required"), "needs `prefix`");
        }
        let ok = match alg {
            Algorithm::HmacSha1 | Algorithm::HmacSha256 | Algorithm::HmacSha512 => {
                k.encoding != KeyEncoding::Pem
            }
            Algorithm::Sha256 | Algorithm::Sha512 | Algorithm::Md5 | Algorithm::Token => true,
            Algorithm::RsaPkcs1v15Sha256 => k.encoding == KeyEncoding::Pem,
            Algorithm::Ed25519 => matches!(
                k.encoding,
                KeyEncoding::Pem | KeyEncoding::Base64 | KeyEncoding::Hex
            ),
        };
        if !ok {
            let what = if signing { "signing key" } else { "key" };
            self.err(
                &format!("{key}.encoding"),
                format!("this {what} encoding does not fit algorithm {alg:?}"),
            );
        }
    }

    fn scheme(&mut self, key: &str, s: &SchemeSpec) -> Scheme {
        let request_level = s.scope == Scope::Request;
        self.key_spec(&format!("{key}.key"), &s.key, s.algorithm, false);
        if let Some(sk) = &s.signing_key {
            self.key_spec(&format!("{key}.signing_key"), sk, s.algorithm, true);
        }
        let sig_from = self.source(
            &format!("{key}.signature.from"),
            &s.signature.from,
            request_level,
        );
        if !matches!(
            sig_from.kind,
            SourceKind::Header(_)
                | SourceKind::FormField(_)
                | SourceKind::Field(_)
                | SourceKind::Query(_)
        ) {
            self.err(
                &format!("{key}.signature.from"),
                "a signature comes from a header, form field, query parameter or body field",
            );
        }
        let is_params = matches!(
            s.signature.format,
            SigFormat::Params { .. } | SigFormat::Fields { .. }
        );
        match &s.signature.format {
            SigFormat::Fields {
                separator,
                names,
                signatures,
            } => {
                if separator.is_empty() || names.len() < 2 {
                    self.err(
                        &format!("{key}.signature.format"),
                        "`fields` needs a `separator` and at least two `names`",
                    );
                }
                if signatures.is_empty() || !signatures.iter().all(|s| names.contains(s)) {
                    self.err(
                        &format!("{key}.signature.format.signatures"),
                        "name the signature fields, each one of `names`",
                    );
                }
            }
            SigFormat::Params {
                separator,
                assign,
                signatures,
                key_equals_secret,
                ..
            } => {
                if separator.is_empty() || assign.is_empty() {
                    self.err(
                        &format!("{key}.signature.format"),
                        "`separator` and `assign` cannot be empty",
                    );
                }
                if signatures.is_empty() && key_equals_secret.is_none() {
                    self.err(
                        &format!("{key}.signature.format"),
                        "name the signature keys (`signatures`) or `key_equals_secret`",
                    );
                }
                if let Some(sec) = key_equals_secret {
                    self.secret_ref(&format!("{key}.signature.format.key_equals_secret"), sec);
                }
            }
            SigFormat::List { separator, .. } if separator.is_empty() => {
                self.err(
                    &format!("{key}.signature.format.separator"),
                    "cannot be empty",
                );
            }
            SigFormat::Prefixed { prefix, .. } if prefix.is_empty() => {
                self.err(&format!("{key}.signature.format.prefix"), "cannot be empty");
            }
            _ => {}
        }
        if s.message.is_empty() {
            self.err(
                &format!("{key}.message"),
                "the signed message needs at least one part",
            );
        }
        let message: Vec<Source> = s
            .message
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let pk = format!("{key}.message[{i}]");
                let src = self.source(&pk, p, request_level);
                if matches!(src.kind, SourceKind::Param(_)) && !is_params {
                    self.err(
                        &format!("{pk}.param"),
                        "`param` needs the signature format `params`",
                    );
                }
                src
            })
            .collect();
        if matches!(
            s.algorithm,
            Algorithm::Sha256 | Algorithm::Sha512 | Algorithm::Md5
        ) && !message
            .iter()
            .any(|p| matches!(p.kind, SourceKind::Secret(_)))
        {
            self.err(
                &format!("{key}.message"),
                "a plain digest proves nothing unless the message contains a `secret` part",
            );
        }
        if s.algorithm == Algorithm::Token {
            if !message
                .iter()
                .all(|p| matches!(p.kind, SourceKind::Secret(_)))
            {
                self.err(
                    &format!("{key}.message"),
                    "a `token` is the secret itself: its message has only `secret` parts",
                );
            }
            if s.encoding != SigEncoding::Text {
                self.err(
                    &format!("{key}.encoding"),
                    "a `token` is compared as `text`",
                );
            }
        } else if s.encoding == SigEncoding::Text {
            self.err(
                &format!("{key}.encoding"),
                "`text` is only for the `token` algorithm (a MAC or signature is binary)",
            );
        }
        let name = s
            .name
            .clone()
            .unwrap_or_else(|| format!("{:?}", s.algorithm).to_lowercase());
        Scheme {
            name,
            scope: s.scope,
            algorithm: s.algorithm,
            key: Key::from(&s.key),
            signing_key: Key::from(s.signing_key.as_ref().unwrap_or(&s.key)),
            sig_from,
            format: s.signature.format.clone(),
            encoding: s.encoding,
            message,
            join: s.join.clone(),
        }
    }
}

//! The tree and its deserializer, through what compile.rs uses: `parse` and `deserializer`.

use super::parse;
use serde::Deserialize;
use serde_json::{json, Value};

fn value(text: &str) -> Value {
    Value::deserialize(parse(text).unwrap().deserializer()).unwrap()
}

#[test]
fn locates_nested_keys_and_items() {
    let text = "a: 1\nevents:\n  rules:\n    - when: x\n    - event: Y\n      when: z\n";
    let d = parse(text).unwrap();
    assert_eq!(d.locate("a"), (1, 1));
    assert_eq!(d.locate("events.rules[1].when"), (6, 7));
    assert_eq!(d.locate("events.rules[0].when"), (4, 7));
    // Unknown leaf falls back to its nearest ancestor.
    assert_eq!(d.locate("events.rules[1].nope").0, 5);
    assert!(d.duplicates.is_empty());
}

#[test]
fn finds_duplicate_keys_at_any_depth() {
    let d = parse("a:\n  b: 1\n  b: 2\nc: {d: 1, d: 2}\ne:\n  - f: {g: [{h: 1, h: 2}]}\n").unwrap();
    let dups: Vec<_> = d.duplicates.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(dups, vec!["a.b", "c.d", "e[0].f.g[0].h"]);
    assert_eq!(d.duplicates[0].1, (3, 3));
    assert_eq!(d.duplicates[2].1, (6, 20));
    // Deserialization stops at the first duplicate, flagged as already reported.
    let e = Value::deserialize(d.deserializer()).unwrap_err();
    assert!(e.duplicate);
}

#[test]
fn resolves_plain_scalars_by_the_yaml_1_2_core_schema() {
    let v = value(
        "yes: yes\nno: no\nhex: 0x10\noct: 0o17\nexp: 1e3\ntilde: ~\nempty:\nnull: null\n\
         t: true\nf: False\nq: '5'\ndq: \"0x10\"\nzero: 0123\nneg: -7\ninf: .inf\ntext: a b\n\
         str: !!str 12\n",
    );
    let expected = json!({
        "yes": "yes", "no": "no", "hex": 16, "oct": 15, "exp": 1000.0, "tilde": null,
        "empty": null, "null": null, "t": true, "f": false, "q": "5", "dq": "0x10",
        "zero": "0123", "neg": -7, "inf": null, "text": "a b", "str": "12",
    });
    // serde_json has no infinity: compare the rest.
    let mut v = v;
    assert_eq!(v["inf"].as_f64(), None);
    v["inf"] = Value::Null;
    assert_eq!(v, expected);
}

#[test]
fn any_scalar_is_a_string_when_a_string_is_wanted() {
    #[derive(Deserialize)]
    struct S {
        a: String,
        b: String,
        c: Option<String>,
        d: Option<String>,
    }
    let s = S::deserialize(
        parse("a: 1.50\nb: true\nc: ~\nd: 'null'\n")
            .unwrap()
            .deserializer(),
    )
    .unwrap();
    assert_eq!((s.a.as_str(), s.b.as_str()), ("1.50", "true"));
    assert_eq!((s.c, s.d.as_deref()), (None, Some("null")));
}

#[test]
fn resolves_aliases() {
    let v = value("a: &x [1, {b: 2}]\nc: *x\nd: &s text\ne: *s\n");
    assert_eq!(v["c"], json!([1, {"b": 2}]));
    assert_eq!(v["e"], json!("text"));
    // A billion laughs stops at the repetition limit instead of expanding.
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text += &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n");
    }
    let e = Value::deserialize(parse(&text).unwrap().deserializer()).unwrap_err();
    assert_eq!(e.to_string(), "repetition limit exceeded");
    // An alias inside its own anchor is an error, not a loop.
    assert!(parse("a: &x [*x]\n").is_err());
    // So is an unknown anchor.
    let e = parse("a: 1\nb: *nope\n").unwrap_err();
    assert_eq!(e.pos, (2, 4));
}

#[test]
fn syntax_errors_have_their_position_and_key() {
    let e = parse("a:\n  b: [1, 2\n  c: 3\n").unwrap_err();
    assert_eq!((e.pos, e.key.as_str()), ((3, 4), "a.b"));
    let e = parse("a: 1\n b: 2\n").unwrap_err();
    assert_eq!(e.pos, (2, 3));
    assert!(e.message.contains("mapping values"), "{}", e.message);
}

#[test]
fn errors_name_the_node_as_serde_yaml_ng_did() {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct S {
        #[allow(dead_code)]
        n: u16,
    }
    let err = |text: &str| {
        let e = S::deserialize(parse(text).unwrap().deserializer()).unwrap_err();
        (e.pos.unwrap(), e.to_string())
    };
    assert_eq!(
        err("n: x\n"),
        ((1, 4), "n: invalid type: string \"x\", expected u16".into())
    );
    assert_eq!(
        err("n: 70000\n").1,
        "n: invalid value: integer `70000`, expected u16"
    );
    assert_eq!(
        err("n: '1'\n").1,
        "n: invalid type: string \"1\", expected u16"
    );
    assert_eq!(err("n: 1\nm: 2\n").0, (2, 1));
    // A block mapping is where its first key is; an empty value just after its `:`.
    assert_eq!(err("\nx: 1\n").0, (2, 1));
    assert_eq!(err("n:\n").0, (1, 3));
    // A node with an anchor or tag starts at them.
    assert_eq!(
        err("n: &a [1]\n"),
        ((1, 4), "n: invalid type: sequence, expected u16".into())
    );
}

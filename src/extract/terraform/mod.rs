//! Terraform: plan JSON (`terraform show -json`) and configuration (`.tf`, read per module).

mod document;
pub mod module;

pub use module::{
    Loader, ModuleExtract, ModuleFile, NoFiles, Resource, ResourcePolicy, extract_module,
    extract_resources,
};

use super::embedded::{json_string, parse_policy};
use super::{Extracted, Found};
use crate::tree::escape::{Decoded, Encoding};
use crate::tree::hcl::Source;
use crate::tree::{Node, Span, Value};

/// Resource types whose `policy` is a key policy.
pub const KEY_RESOURCES: &[&str] = &[
    "aws_kms_key",
    "aws_kms_key_policy",
    "aws_kms_replica_key",
    "aws_kms_replica_external_key",
    "aws_kms_external_key",
];

/// Whether a parsed JSON document is a plan.
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// The key policies of a plan: `planned_values` in the root module and every child module,
/// else `resource_changes[].change.after`.
pub fn extract_plan(root: &Node, file: &str) -> Extracted {
    let mut found: Vec<(String, &Node)> = Vec::new();
    if let Some(planned) = root.get("planned_values") {
        let mut modules: Vec<&Node> = planned
            .value
            .get("root_module")
            .map(|m| &m.value)
            .into_iter()
            .collect();
        while let Some(module) = modules.pop() {
            for r in module
                .get("resources")
                .map_or(&[][..], |r| r.value.one_or_many())
            {
                collect(r, r.get("values").map(|v| &v.value), &mut found);
            }
            if let Some(children) = module.get("child_modules") {
                modules.extend(children.value.one_or_many().iter().rev());
            }
        }
    } else if let Some(changes) = root.get("resource_changes") {
        for r in changes.value.one_or_many() {
            let after = r
                .get("change")
                .and_then(|c| c.value.get("after"))
                .map(|a| &a.value);
            collect(r, after, &mut found);
        }
    }
    found.sort_by_key(|(_, n)| n.span.start);
    let mut out = Found::default();
    for (address, node) in found {
        let name = Some(address);
        match json_string(node, file).and_then(|d| parse_policy(name.clone(), d)) {
            Ok(doc) => out.policies.push(doc),
            Err(mut e) => {
                e.policy = name;
                out.errors.push(e);
            }
        }
    }
    Extracted::Found(out)
}

fn collect<'a>(resource: &'a Node, values: Option<&'a Node>, out: &mut Vec<(String, &'a Node)>) {
    let kind = resource.get("type").and_then(|t| t.value.as_str());
    if !kind.is_some_and(|k| KEY_RESOURCES.contains(&k)) {
        return;
    }
    let Some(address) = resource.get("address").and_then(|a| a.value.as_str()) else {
        return;
    };
    if let Some(policy) = values.and_then(|v| v.get("policy"))
        && matches!(policy.value.value, Value::String(_))
    {
        out.push((address.to_string(), &policy.value));
    }
}

/// The body of a heredoc (`<<EOF` or the indented `<<-EOF`) at `span` with its map into the
/// source's coordinates.
fn heredoc(src: Source<'_>, span: Span) -> Decoded {
    let raw = src.slice(span);
    let indented = raw.starts_with("<<-");
    let body_start = raw.find('\n').map_or(raw.len(), |i| i + 1);
    // The body ends before the line holding the closing delimiter.
    let body_end = raw
        .trim_end()
        .rfind('\n')
        .map_or(body_start, |i| i + 1)
        .max(body_start);
    let body = &raw[body_start..body_end];
    let strip = if indented {
        body.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let base = span.start as usize + body_start;
    let mut text = String::with_capacity(body.len());
    let mut offsets = Vec::with_capacity(body.len() + 1);
    let mut pos = 0;
    for line in body.split_inclusive('\n') {
        let skip = strip.min(line.len() - line.trim_start_matches([' ', '\t']).len());
        for (i, _) in line[skip..].bytes().enumerate() {
            offsets.push((base + pos + skip + i) as u32);
        }
        text.push_str(&line[skip..]);
        pos += line.len();
    }
    offsets.push((base + pos) as u32);
    // The indentation `<<-` strips: inserted lines get it back.
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map_or("", |l| &l[..strip.min(l.len())])
        .to_string();
    Decoded::from_parts(text, offsets, Encoding::Lines { indent })
}

//! `data "aws_iam_policy_document"` as a policy tree.
//!
//! The blocks are mapped onto the JSON policy they render, with every span on the HCL text: a
//! finding on an action points at the string in `actions = [...]`, one on a principal at the
//! string in `identifiers`. Values the provider supplies (`Effect: Allow`, `Version`) point at
//! the block that implies them. `dynamic "statement"` blocks are statements that may be
//! present. `source_policy_documents` and `override_policy_documents` merge by `sid` the way
//! the AWS provider does.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::module::Module;
use crate::tree::hcl::{self, Source, traversal_path};
use crate::tree::{Member, Node, Span, Unknown, Value};

/// Build the policy tree of a document block of file `file`.
pub(super) fn build(
    module: &Module<'_>,
    file: usize,
    block: &Block,
    hops: usize,
) -> Result<Node, String> {
    if hops > 32 {
        return Err("policy documents refer to each other in a cycle".to_string());
    }
    let src = module.source(file);
    let header = src.span(block.ident.span());
    let conv = |e: &Expression| hcl::to_node(e, src, module, 0).map_err(|e| e.message);
    let mut members = Vec::new();
    let version = match block.body.get_attribute("version") {
        Some(a) => member("Version", src.span(a.key.span()), conv(&a.value)?),
        None => member(
            "Version",
            header,
            Node::new(header, Value::String("2012-10-17".into())),
        ),
    };
    members.push(version);
    if let Some(a) = block.body.get_attribute("policy_id") {
        members.push(member("Id", src.span(a.key.span()), conv(&a.value)?));
    }

    let mut statements: Vec<Node> = Vec::new();
    for key in ["source_policy_documents", "source_json"] {
        if let Some(a) = block.body.get_attribute(key) {
            for doc in documents(module, src, &a.value, hops)? {
                statements.extend(doc);
            }
        }
    }
    let mut own = Vec::new();
    let mut first_statement: Option<Span> = None;
    for b in statement_blocks(&block.body) {
        first_statement.get_or_insert(src.span(b.block.ident.span()));
        own.push(statement(module, src, &b)?);
    }
    merge(&mut statements, own);
    for key in ["override_policy_documents", "override_json"] {
        if let Some(a) = block.body.get_attribute(key) {
            for doc in documents(module, src, &a.value, hops)? {
                merge(&mut statements, doc);
            }
        }
    }
    let statement_key = first_statement.unwrap_or(header);
    let span = src.span(block.span());
    members.push(Member {
        key: "Statement".into(),
        key_span: statement_key,
        value: Node::new(span, Value::Array(statements)),
    });
    Ok(Node::new(span, Value::Object(members)))
}

fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span,
        value,
    }
}

/// A `statement` block, or the `content` of a `dynamic "statement"` block (maybe present).
struct StatementBlock<'b> {
    block: &'b Block,
    body: &'b Body,
    maybe: bool,
}

fn statement_blocks(body: &Body) -> Vec<StatementBlock<'_>> {
    blocks_named(body, "statement")
}

/// The blocks `name { … }` and `dynamic "name" { content { … } }` of a body, in order.
fn blocks_named<'b>(body: &'b Body, name: &str) -> Vec<StatementBlock<'b>> {
    body.blocks()
        .filter_map(|b| {
            let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
            match (b.ident.as_str(), &labels[..]) {
                (ident, []) if ident == name => Some(StatementBlock {
                    block: b,
                    body: &b.body,
                    maybe: false,
                }),
                ("dynamic", [label]) if *label == name => {
                    let content = b.body.get_blocks("content").next()?;
                    Some(StatementBlock {
                        block: b,
                        body: &content.body,
                        maybe: true,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

/// One statement block as a statement object.
fn statement(module: &Module<'_>, src: Source<'_>, b: &StatementBlock<'_>) -> Result<Node, String> {
    let conv = |e: &Expression| hcl::to_node(e, src, module, 0).map_err(|e| e.message);
    let header = src.span(b.block.ident.span());
    let mut members = Vec::new();
    let attr = |name: &str| b.body.get_attribute(name);
    if let Some(a) = attr("sid") {
        members.push(member("Sid", src.span(a.key.span()), conv(&a.value)?));
    }
    members.push(match attr("effect") {
        Some(a) => member("Effect", src.span(a.key.span()), conv(&a.value)?),
        // The provider's default.
        None => member(
            "Effect",
            header,
            Node::new(header, Value::String("Allow".into())),
        ),
    });
    for (hcl_name, block_name) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(m) = principals(module, src, b.body, hcl_name, block_name)? {
            members.push(m);
        }
    }
    for (hcl_name, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(a) = attr(hcl_name) {
            let mut value = conv(&a.value)?;
            // An unresolved value may be `null`, which leaves the element out.
            if value.is_unknown() {
                value.maybe = true;
            }
            members.push(member(key, src.span(a.key.span()), value));
        }
    }
    if let Some(m) = conditions(module, src, b.body)? {
        members.push(m);
    }
    let mut node = Node::new(src.span(b.block.span()), Value::Object(members));
    if b.maybe {
        node.mark_maybe();
    }
    Ok(node)
}

/// `principals { type = "AWS" identifiers = [...] }` blocks as one `Principal` object, the
/// identifiers of blocks of the same type together (as the provider renders them).
fn principals(
    module: &Module<'_>,
    src: Source<'_>,
    body: &Body,
    hcl_name: &str,
    key: &str,
) -> Result<Option<Member>, String> {
    let blocks = blocks_named(body, hcl_name);
    let Some(first) = blocks.first() else {
        return Ok(None);
    };
    let key_span = src.span(first.block.ident.span());
    let mut types: Vec<Member> = Vec::new();
    let mut span = key_span;
    for b in &blocks {
        let block_span = src.span(b.block.span());
        span = Span::new(
            span.start.min(block_span.start),
            span.end.max(block_span.end),
        );
        let ty = match b.body.get_attribute("type") {
            Some(a) => hcl::to_node(&a.value, src, module, 0).map_err(|e| e.message)?,
            None => continue,
        };
        // `type = "*"` with `identifiers = ["*"]` is written `"Principal": "*"`.
        if ty.as_str() == Some("*") {
            let star = Node::new(ty.span, Value::String("*".into()));
            return Ok(Some(member(key, key_span, star)));
        }
        let Some(type_name) = ty.as_str().map(str::to_string) else {
            // A type kmslint cannot read: who the block names is unknown.
            let unknown = Node::unknown(block_span, Unknown::new(src.slice(block_span)));
            return Ok(Some(member(key, key_span, unknown)));
        };
        let mut ids = match b.body.get_attribute("identifiers") {
            Some(a) => hcl::to_node(&a.value, src, module, 0).map_err(|e| e.message)?,
            None => Node::new(ty.span, Value::Array(Vec::new())),
        };
        if b.maybe {
            ids.mark_maybe();
        }
        let items = match ids.value {
            Value::Array(items) => items,
            _ => vec![ids],
        };
        match types.iter_mut().find(|m| m.key == type_name) {
            Some(m) => {
                if let Value::Array(existing) = &mut m.value.value {
                    existing.extend(items);
                }
            }
            None => types.push(Member {
                key: type_name,
                key_span: ty.span,
                value: Node::new(block_span, Value::Array(items)),
            }),
        }
    }
    Ok(Some(member(
        key,
        key_span,
        Node::new(span, Value::Object(types)),
    )))
}

/// `condition { test variable values }` blocks as one `Condition` object.
fn conditions(module: &Module<'_>, src: Source<'_>, body: &Body) -> Result<Option<Member>, String> {
    let blocks = blocks_named(body, "condition");
    let Some(first) = blocks.first() else {
        return Ok(None);
    };
    let key_span = src.span(first.block.ident.span());
    let conv = |e: &Expression| hcl::to_node(e, src, module, 0).map_err(|e| e.message);
    let mut operators: Vec<Member> = Vec::new();
    let mut span = key_span;
    for b in &blocks {
        let block_span = src.span(b.block.span());
        span = Span::new(
            span.start.min(block_span.start),
            span.end.max(block_span.end),
        );
        let get = |name: &str| {
            b.body
                .get_attribute(name)
                .map(|a| conv(&a.value))
                .transpose()
        };
        let (Some(test), Some(variable)) = (get("test")?, get("variable")?) else {
            continue;
        };
        let values =
            get("values")?.unwrap_or_else(|| Node::new(variable.span, Value::Array(Vec::new())));
        let (Some(op), Some(var)) = (test.as_str(), variable.as_str()) else {
            // An operator or a key kmslint cannot read: the conditions are unknown.
            let unknown = Node::unknown(block_span, Unknown::new(src.slice(block_span)));
            return Ok(Some(member("Condition", key_span, unknown)));
        };
        let mut values = values;
        if b.maybe {
            values.mark_maybe();
        }
        let entry = member(var, variable.span, values);
        match operators.iter_mut().find(|m| m.key == op) {
            Some(m) => {
                if let Value::Object(keys) = &mut m.value.value {
                    keys.push(entry);
                }
            }
            None => operators.push(Member {
                key: op.to_string(),
                key_span: test.span,
                value: Node::new(block_span, Value::Object(vec![entry])),
            }),
        }
    }
    Ok(Some(member(
        "Condition",
        key_span,
        Node::new(span, Value::Object(operators)),
    )))
}

/// The statements of each document a `source_policy_documents`-like list names: documents
/// of the module are built; anything else is one unknown statement.
fn documents(
    module: &Module<'_>,
    src: Source<'_>,
    list: &Expression,
    hops: usize,
) -> Result<Vec<Vec<Node>>, String> {
    let entries: Vec<&Expression> = match list {
        Expression::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for e in entries {
        let span = src.span(e.span());
        let unknown = || vec![Node::unknown(span, Unknown::new(src.slice(span)))];
        let name = match e {
            Expression::Traversal(t) => match (
                &t.expr,
                traversal_path(t.operators.iter().map(|o| o.value())),
            ) {
                (Expression::Variable(root), Some(path)) if root.as_str() == "data" => {
                    match &path[..] {
                        ["aws_iam_policy_document", name, "json" | "minified_json"] => {
                            Some(name.to_string())
                        }
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        };
        let doc = match name.and_then(|n| module.document(&n, hops)) {
            Some(doc) => doc?,
            None => {
                out.push(unknown());
                continue;
            }
        };
        let statements = doc
            .get("Statement")
            .map(|m| m.value.one_or_many().to_vec())
            .unwrap_or_default();
        out.push(statements);
    }
    Ok(out)
}

/// Merge `incoming` statements into `into` the way the provider does: a statement whose
/// `sid` an earlier one has replaces it; others are appended.
fn merge(into: &mut Vec<Node>, incoming: Vec<Node>) {
    for st in incoming {
        let sid = st.get("Sid").and_then(|m| m.value.as_str());
        let existing = sid.and_then(|sid| {
            into.iter()
                .position(|s| s.get("Sid").and_then(|m| m.value.as_str()) == Some(sid))
        });
        match existing {
            Some(i) => into[i] = st,
            None => into.push(st),
        }
    }
}

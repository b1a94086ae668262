//! Building the edits of fixes in a policy's own syntax: replacing a string's text, adding a
//! member to an object (a condition to a statement), replacing or removing a list entry,
//! written as the policy is written (JSON, CloudFormation YAML in block and flow style,
//! Terraform HCL object syntax and `aws_iam_policy_document` blocks) and laid out like the
//! members around it: indentation, quotes, line breaks, comments and key order stay. Every
//! function returns `None` rather than an edit it cannot make safely.
//!
//! Edits are in the policy's text. A policy embedded in a string (`get-key-policy` output, a
//! `!Sub |` block, a heredoc) is JSON in its decoded text, and is edited as JSON there; the
//! engine writes the edit as the file writes the string.

use super::statement::Statement;
use crate::tree::escape::push_json_string;
use crate::tree::{Dialect, Member, Node, Span, Value};

/// Whether applying a fix keeps the policy's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// It changes who can do what: applied with `--unsafe-fixes`, offered in the editor.
    Unsafe,
    /// The policy means the same, or AWS would reject the old text anyway: applied with `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `span` with `content`. In a [`Finding`], spans and content are in the policy's
/// text; in a reported diagnostic, in the file's (the content encoded for where the policy
/// is written, such as an escaped JSON string).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit::replace(Span::at(at), content)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, String::new())
    }
}

/// The edits that resolve a finding, applied together, with a one-line title.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }

    /// The smallest span that holds every edit.
    pub fn span(&self) -> Option<Span> {
        let start = self.edits.iter().map(|e| e.span.start).min()?;
        let end = self.edits.iter().map(|e| e.span.end).max()?;
        Some(Span::new(start, end))
    }
}

/// A value to write: strings, objects and arrays, rendered in the policy's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lit {
    Str(String),
    Obj(Vec<(String, Lit)>),
    Arr(Vec<Lit>),
}

impl Lit {
    pub fn str(s: impl Into<String>) -> Lit {
        Lit::Str(s.into())
    }

    /// `{key: value}`.
    pub fn obj1(key: impl Into<String>, value: Lit) -> Lit {
        Lit::Obj(vec![(key.into(), value)])
    }

    /// The value as compact JSON (`{"Bool": {"kms:GrantIsForAWSResource": "true"}}`).
    pub fn json(&self) -> String {
        self.json_with(": ")
    }

    /// The value as compact JSON with `colon` between keys and values (`" : "` as
    /// `get-key-policy` writes them).
    fn json_with(&self, colon: &str) -> String {
        let mut out = String::new();
        self.write_json(&mut out, colon);
        out
    }

    fn write_json(&self, out: &mut String, colon: &str) {
        self.write(
            out,
            &Style {
                open: "{",
                close: "}",
                pair: colon,
                key: &push_json_string,
                scalar: &push_json_string,
            },
        );
    }

    /// The value in HCL object syntax (`{ Bool = { "kms:GrantIsForAWSResource" = "true" } }`).
    pub fn hcl(&self) -> String {
        self.hcl_styled(false, false)
    }

    /// [`Lit::hcl`] with keys meeting their values by `:` instead of `=` and every key
    /// quoted, as objects written like JSON are (`{ "Bool" : { … } }`).
    fn hcl_styled(&self, colon: bool, quoted: bool) -> String {
        let mut out = String::new();
        self.write(
            &mut out,
            &Style {
                open: "{ ",
                close: " }",
                pair: if colon { " : " } else { " = " },
                key: &|out, k| out.push_str(&hcl_key(k, quoted)),
                scalar: &|out, s| out.push_str(&hcl_string(s)),
            },
        );
        out
    }

    /// The value in YAML flow style, scalars plain where YAML reads them as the same strings
    /// and quoted with `quote` elsewhere (`{Bool: {kms:GrantIsForAWSResource: 'true'}}`).
    fn yaml_flow(&self, quote: Quote) -> String {
        let scalar = |out: &mut String, s: &str| out.push_str(&flow_scalar(s, quote));
        let mut out = String::new();
        self.write(
            &mut out,
            &Style {
                open: "{",
                close: "}",
                pair: ": ",
                key: &scalar,
                scalar: &scalar,
            },
        );
        out
    }

    /// Append the value to `out` as `style` writes it; lists and members are joined by `, `.
    fn write(&self, out: &mut String, style: &Style<'_>) {
        match self {
            Lit::Str(s) => (style.scalar)(out, s),
            Lit::Obj(members) if members.is_empty() => out.push_str("{}"),
            Lit::Obj(members) => {
                out.push_str(style.open);
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    (style.key)(out, k);
                    out.push_str(style.pair);
                    v.write(out, style);
                }
                out.push_str(style.close);
            }
            Lit::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, style);
                }
                out.push(']');
            }
        }
    }
}

/// How a [`Lit`] is written: the braces of an object, what joins a key to its value, and how
/// keys and strings are written.
struct Style<'s> {
    open: &'static str,
    close: &'static str,
    pair: &'s str,
    key: &'s dyn Fn(&mut String, &str),
    scalar: &'s dyn Fn(&mut String, &str),
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

/// Whether a dialect writes its policies as JSON text.
pub fn is_json(dialect: Dialect) -> bool {
    matches!(
        dialect,
        Dialect::Json | Dialect::CfnJson | Dialect::CfnSub | Dialect::TfString
    )
}

/// Text that reads the same unquoted, single-quoted, double-quoted or escaped in any of the
/// syntaxes a policy is written in: a replacement made of it needs no quoting decisions.
pub fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '*' | '?' | '_' | '.' | '/' | '-' | '@')
        })
        && !s.starts_with(['*', '?', ':', '-', '@'])
}

/// The span of a string value's characters, without its quotes, when the source writes them
/// as they read (no escapes): then replacing that span replaces the value.
pub fn string_body(node: &Node, text: &str) -> Option<Span> {
    let Value::String(value) = &node.value else {
        return None;
    };
    let source = text.get(node.span.start as usize..node.span.end as usize)?;
    let quoted = |q: char| source.len() >= 2 && source.starts_with(q) && source.ends_with(q);
    let body = if quoted('"') || quoted('\'') {
        Span::new(node.span.start + 1, node.span.end - 1)
    } else {
        node.span
    };
    (text.get(body.start as usize..body.end as usize)? == value).then_some(body)
}

/// Replace a string value with `new` (plain text only, see [`is_plain`]).
pub fn replace_string(node: &Node, text: &str, new: &str) -> Option<Edit> {
    if !is_plain(new) {
        return None;
    }
    let body = string_body(node, text)?;
    // An empty plain YAML scalar has no body to replace.
    if body.is_empty() && !text[..body.start as usize].ends_with(['"', '\'']) {
        return None;
    }
    Some(Edit::replace(body, new))
}

/// The edit that adds `key: value` as the last member of `object`, written in `dialect` and
/// laid out like the members before it. In an `aws_iam_policy_document` (where a statement is
/// a block) only a `Condition` of one operator and one key can be added: it becomes a
/// `condition { test variable values }` block at the end of the statement block.
pub fn insert_member(
    text: &str,
    object: &Node,
    dialect: Dialect,
    key: &str,
    value: &Lit,
) -> Option<Edit> {
    match dialect {
        d if is_json(d) => insert_json_member(text, object, key, value),
        Dialect::CfnYaml if text.as_bytes().get(object.span.start as usize) == Some(&b'{') => {
            insert_flow_member(text, object, key, value)
        }
        Dialect::CfnYaml => insert_block_member(text, object, key, value),
        Dialect::TfObject => insert_hcl_member(text, object, key, value),
        Dialect::TfDocument => insert_condition_block(text, object, key, value),
        _ => None,
    }
}

/// The edit that adds `key: value` as the first member of `object` (where AWS writes
/// `Version`), written in `dialect` and laid out like the member after it. Not in an
/// `aws_iam_policy_document`.
pub fn insert_first_member(
    text: &str,
    object: &Node,
    dialect: Dialect,
    key: &str,
    value: &Lit,
) -> Option<Edit> {
    let Some(first) = object.members().first() else {
        return insert_member(text, object, dialect, key, value);
    };
    let key_start = first.key_span.start as usize;
    let line = line_start(text, key_start);
    let indent = text.get(line..key_start)?;
    let nl = newline_at(text, key_start);
    let key_quote = quote_at(text, key_start);
    if dialect == Dialect::CfnYaml && !starts_with(text, object.span, '{') {
        // A block mapping: a line of its own at the column of the keys.
        if !indent.chars().all(|c| c == ' ') {
            return None;
        }
        let written = YamlBlock {
            quote: key_quote.unwrap_or_else(|| preferred_quote(text, object.span)),
            key_quote,
            unit: yaml_unit(text, object, indent.len()),
            nl,
        }
        .member(indent, key, value);
        return Some(Edit::insert(line as u32, format!("{written}{nl}")));
    }
    let (open, _) = braces(text, object.span)?;
    if !is_blank(text.get(open + 1..key_start)?) {
        return None;
    }
    let own_line = line > open && is_blank(indent);
    let (member, sep) = match dialect {
        d if is_json(d) => (json_member(text, object, key, value), ","),
        Dialect::CfnYaml => {
            let member = match key_quote {
                Some(Quote::Double) => format!("{}: {}", json_string(key), value.json()),
                Some(q) => format!("{}: {}", yaml_scalar(key, q), value.yaml_flow(q)),
                None => {
                    let q = preferred_quote(text, object.span);
                    format!("{}: {}", yaml_scalar(key, Quote::Plain), value.yaml_flow(q))
                }
            };
            (member, ",")
        }
        Dialect::TfObject => {
            let k = hcl_key(key, key_quote.is_some());
            // Aligned with the first member's `=` when that is one line, as `terraform fmt`
            // aligns the lines of a group.
            let key_end = first.key_span.end as usize;
            let spaces = text[key_end..].len() - text[key_end..].trim_start_matches(' ').len();
            let width = key_end - key_start + spaces;
            let value_end = first.value.span.end as usize;
            let one_line = line_end(text, key_start) == line_end(text, value_end);
            let aligned = own_line
                && one_line
                && text[key_end + spaces..].starts_with('=')
                && width > k.len();
            let pad = if aligned {
                " ".repeat(width - k.len())
            } else {
                " ".to_string()
            };
            let comma = text
                .get(value_end..line_end(text, value_end))?
                .trim_start()
                .starts_with(',');
            let sep = if comma || !own_line { "," } else { "" };
            (format!("{k}{pad}= {}", value.hcl()), sep)
        }
        _ => return None,
    };
    Some(if own_line {
        Edit::insert(key_start as u32, format!("{member}{sep}{nl}{indent}"))
    } else {
        Edit::insert(key_start as u32, format!("{member}{sep} "))
    })
}

/// The edit that adds the condition `{op: {key: value}}` to a statement: a new `Condition`
/// member, a new operator block in its `Condition`, or a new key in its `op` block (in an
/// `aws_iam_policy_document`, a new `condition` block). `None` when the statement already
/// has a condition on `key`, or its conditions are not all written out (an unresolved or
/// repeated `Condition`, a repeated operator).
pub fn add_condition(
    text: &str,
    st: &Statement<'_>,
    dialect: Dialect,
    op: &str,
    key: &str,
    value: &Lit,
) -> Option<Edit> {
    if st.conditions_on(key).next().is_some() || st.has_unresolved_condition() {
        return None;
    }
    let block = || Lit::obj1(op, Lit::obj1(key, value.clone()));
    if dialect == Dialect::TfDocument {
        return insert_member(text, st.node, dialect, "Condition", &block());
    }
    let Some(condition) = st.condition_member else {
        return insert_member(text, st.node, dialect, "Condition", &block());
    };
    let conditions = st.node.members().iter().filter(|m| m.key == "Condition");
    if conditions.count() != 1 || !condition.value.is_object() {
        return None;
    }
    let mut operators = condition.value.members().iter().filter(|m| m.key == op);
    match (operators.next(), operators.next()) {
        (None, _) => insert_member(
            text,
            &condition.value,
            dialect,
            op,
            &Lit::obj1(key, value.clone()),
        ),
        (Some(block), None) if block.value.is_object() => {
            insert_member(text, &block.value, dialect, key, value)
        }
        _ => None,
    }
}

/// The edits that put `names` in the place of `element`, an entry of the list `member` holds
/// (or its lone value), in `object`: the first name replaces the entry and the others follow
/// it, laid out like the list's entries; a lone value becomes a list (one entry a line when
/// the object's members are one a line). No names remove the entry, which must then not be
/// the only one. `None` unless the entry is a string written as it reads and every name is
/// plain (see [`is_plain`]).
pub fn replace_element(
    text: &str,
    object: &Node,
    member: &Member,
    element: &Node,
    dialect: Dialect,
    names: &[String],
) -> Option<Vec<Edit>> {
    if !names.iter().all(|n| is_plain(n)) || !matches!(element.value, Value::String(_)) {
        return None;
    }
    string_body(element, text)?;
    let Value::Array(items) = &member.value.value else {
        if member.value.span != element.span {
            return None;
        }
        return match names {
            [] => None,
            [one] => Some(vec![replace_string(element, text, one)?]),
            _ => Some(vec![new_list(text, object, member, dialect, names)?]),
        };
    };
    let i = items.iter().position(|n| n.span == element.span)?;
    let block = dialect == Dialect::CfnYaml && !starts_with(text, member.value.span, '[');
    let Some((first, rest)) = names.split_first() else {
        return if block {
            remove_block_item(text, element).map(|e| vec![e])
        } else {
            remove_item(text, items, i).map(|e| vec![e])
        };
    };
    if !block && items.len() == 1 && rest.len() >= LONG_LIST && !is_multiline(text, element) {
        return Some(vec![new_list(text, object, member, dialect, names)?]);
    }
    let mut edits = vec![replace_string(element, text, first)?];
    if rest.is_empty() {
        return Some(edits);
    }
    let quote = |name: &str| match dialect {
        Dialect::CfnYaml => yaml_scalar(name, quote_of(text, element).unwrap_or(Quote::Plain)),
        _ => json_string(name),
    };
    let end = element.span.end as usize;
    if block {
        let start = element.span.start as usize;
        let prefix = &text[line_start(text, start)..start];
        if !is_item_prefix(prefix) {
            return None;
        }
        let at = end_of_line_after(text, end, false)?;
        let nl = newline_at(text, at);
        let lines: String = rest
            .iter()
            .map(|n| format!("{nl}{prefix}{}", quote(n)))
            .collect();
        edits.push(Edit::insert(at as u32, lines));
        return Some(edits);
    }
    let start = element.span.start as usize;
    let ls = line_start(text, start);
    let sep = if ls > member.value.span.start as usize && is_blank(&text[ls..start]) {
        format!(",{}{}", newline_at(text, start), &text[ls..start])
    } else {
        ", ".to_string()
    };
    let more: String = rest.iter().map(|n| format!("{sep}{}", quote(n))).collect();
    edits.push(Edit::insert(end as u32, more));
    Some(edits)
}

/// A list of this many entries or more is written one entry a line where it replaces a lone
/// value in an object whose members are one a line.
const LONG_LIST: usize = 3;

/// [`insert_member`] for JSON: on a line of its own with the indentation of the members
/// before it, or inline when they are inline.
fn insert_json_member(text: &str, object: &Node, key: &str, value: &Lit) -> Option<Edit> {
    insert_in_braces(text, object, json_member(text, object, key, value))
}

/// `"key": value`, with the colon (and the spaces around it) the members of `object` use.
fn json_member(text: &str, object: &Node, key: &str, value: &Lit) -> String {
    let colon = object
        .members()
        .iter()
        .find_map(|m| {
            let between = text.get(m.key_span.end as usize..m.value.span.start as usize)?;
            (between.trim() == ":" && !between.contains('\n')).then_some(between)
        })
        .unwrap_or(": ");
    let mut member = String::with_capacity(64);
    push_json_string(&mut member, key);
    member.push_str(colon);
    value.write_json(&mut member, colon);
    member
}

/// [`insert_member`] for a YAML flow mapping (`{Key: value}`): written as JSON when its keys
/// are double-quoted, else with plain scalars where YAML reads them as the same strings.
fn insert_flow_member(text: &str, object: &Node, key: &str, value: &Lit) -> Option<Edit> {
    let key_quote = object
        .members()
        .last()
        .and_then(|m| quote_at(text, m.key_span.start as usize));
    let member = match key_quote {
        Some(Quote::Double) => format!("{}: {}", json_string(key), value.json()),
        Some(q) => format!("{}: {}", yaml_scalar(key, q), value.yaml_flow(q)),
        None => {
            let q = preferred_quote(text, object.span);
            format!("{}: {}", yaml_scalar(key, Quote::Plain), value.yaml_flow(q))
        }
    };
    insert_in_braces(text, object, member)
}

/// Add `member` (written) after the last member of the braced object `object`: on a line of
/// its own with the indentation of the members when they are one a line, else inline.
fn insert_in_braces(text: &str, object: &Node, member: String) -> Option<Edit> {
    let (open, close) = braces(text, object.span)?;
    let Some(last) = object.members().last() else {
        return is_blank(&text[open + 1..close])
            .then(|| Edit::replace(Span::new(open as u32 + 1, close as u32), member));
    };
    let end = last.value.span.end as usize;
    // Anything but blanks between the last value and the brace (a template directive, the
    // rest of an `Fn::If`) would take the new member with it.
    if end > close || !is_blank(&text[end..close]) {
        return None;
    }
    let key_start = last.key_span.start as usize;
    let line = line_start(text, key_start);
    let indent = &text[line..key_start];
    let insertion = if line > open && is_blank(indent) {
        [",", newline_at(text, key_start), indent, &member].concat()
    } else {
        format!(", {member}")
    };
    Some(Edit::insert(end as u32, insertion))
}

/// [`insert_member`] for a YAML block mapping: a new `Key:` line at the column of the keys,
/// after the last member (and its comment), with a nested block value.
fn insert_block_member(text: &str, object: &Node, key: &str, value: &Lit) -> Option<Edit> {
    let last = object.members().last()?;
    // A member one of whose branches may be absent (`!If [c, {...}, !Ref AWS::NoValue]`):
    // its span is a branch's, not where the member ends.
    if last.value.maybe && !object.maybe {
        return None;
    }
    let key_start = last.key_span.start as usize;
    let prefix = &text[line_start(text, key_start)..key_start];
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let column = prefix.len();
    let at = end_of_line_after(text, last.value.span.end as usize, true)?;
    if !mapping_ends_at(text, at, column) {
        return None;
    }
    let nl = newline_at(text, at);
    let key_quote = quote_at(text, key_start);
    let q = key_quote.unwrap_or_else(|| preferred_quote(text, object.span));
    let written = YamlBlock {
        quote: q,
        key_quote,
        unit: yaml_unit(text, object, column),
        nl,
    }
    .member(&" ".repeat(column), key, value);
    Some(Edit::insert(at as u32, format!("{nl}{written}")))
}

/// [`insert_member`] for HCL object syntax (`jsonencode({...})`): `Key = value` on a line of
/// its own (with the `=` aligned as the member before it aligns its own, and a comma where
/// the members end in one), or inline after a comma.
fn insert_hcl_member(text: &str, object: &Node, key: &str, value: &Lit) -> Option<Edit> {
    let (open, close) = braces(text, object.span)?;
    let Some(last) = object.members().last() else {
        let written = format!("{} = {}", hcl_key(key, false), value.hcl());
        return is_blank(&text[open + 1..close]).then(|| {
            Edit::replace(
                Span::new(open as u32 + 1, close as u32),
                format!(" {written} "),
            )
        });
    };
    let (key_start, key_end) = (last.key_span.start as usize, last.key_span.end as usize);
    let k = hcl_key(key, text[key_start..].starts_with('"'));
    let v = value.hcl();
    let end = last.value.span.end as usize;
    if end > close {
        return None;
    }
    let line = line_start(text, key_start);
    let indent = &text[line..key_start];
    if !(line > open && is_blank(indent)) {
        return is_blank(&text[end..close])
            .then(|| Edit::insert(end as u32, format!(", {k} = {v}")));
    }
    let at = line_end(text, end);
    if at >= close {
        return None;
    }
    let rest = text[end..at].trim_start();
    let (comma, rest) = match rest.strip_prefix(',') {
        Some(r) => (",", r.trim_start()),
        None => ("", rest),
    };
    if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with("//")) {
        return None;
    }
    // `Resource  = "*"`: the member before aligns its `=`; a one-line member is aligned with
    // it when the key fits.
    let spaces = text[key_end..].len() - text[key_end..].trim_start_matches(' ').len();
    let width = key_end - key_start + spaces;
    let aligned = text[key_end + spaces..].starts_with('=')
        && line_end(text, key_start) == at
        && width > k.len();
    let pad = if aligned {
        " ".repeat(width - k.len())
    } else {
        " ".to_string()
    };
    // `"Action" : "kms:*"`: the member before says how a key meets its value.
    let sep = match text[key_end..last.value.span.start as usize].trim() {
        ":" => ":",
        _ => "=",
    };
    let v = if sep == ":" {
        value.hcl_styled(true, text[key_start..].starts_with('"'))
    } else {
        v
    };
    let pad = match sep {
        ":" => text[key_end..]
            .split(':')
            .next()
            .filter(|p| is_blank(p))
            .unwrap_or(" "),
        _ => pad.as_str(),
    };
    let nl = newline_at(text, at);
    // Members separated by commas get one after the member that was last.
    let members = object.members();
    let commas = members.len() >= 2 && {
        let before = &members[members.len() - 2];
        text.get(before.value.span.end as usize..last.key_span.start as usize)
            .is_some_and(|gap| gap.trim_start().starts_with(','))
    };
    if commas && comma.is_empty() {
        return Some(Edit::replace(
            Span::new(end as u32, at as u32),
            format!(",{}{nl}{indent}{k}{pad}{sep} {v}", &text[end..at]),
        ));
    }
    Some(Edit::insert(
        at as u32,
        format!("{nl}{indent}{k}{pad}{sep} {v}{comma}"),
    ))
}

/// [`insert_member`] for an `aws_iam_policy_document` statement block: a `Condition` of one
/// operator and one key, written as a `condition` block before the statement's closing brace.
fn insert_condition_block(text: &str, statement: &Node, key: &str, value: &Lit) -> Option<Edit> {
    let Lit::Obj(operators) = value else {
        return None;
    };
    let [(op, Lit::Obj(keys))] = operators.as_slice() else {
        return None;
    };
    let [(variable, values)] = keys.as_slice() else {
        return None;
    };
    let values = match values {
        Lit::Str(s) => vec![hcl_string(s)],
        Lit::Arr(items) => items
            .iter()
            .map(|i| match i {
                Lit::Str(s) => Some(hcl_string(s)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        Lit::Obj(_) => return None,
    };
    let (start, end) = (statement.span.start as usize, statement.span.end as usize);
    let source = text.get(start..end)?;
    // A `dynamic "statement"` block's members are in its `content` block.
    if key != "Condition" || !source.starts_with("statement") || !source.ends_with('}') {
        return None;
    }
    let open = start + source.find('{')?;
    let close = end - 1;
    let closing_line = line_start(text, close);
    let after_open = line_end(text, open);
    let rest = text[open + 1..after_open].trim_start();
    if closing_line <= open
        || !is_blank(&text[closing_line..close])
        || !(rest.is_empty() || rest.starts_with('#') || rest.starts_with("//"))
    {
        return None;
    }
    let close_indent = &text[closing_line..close];
    let inner = text[after_open..closing_line]
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| &l[..l.len() - l.trim_start().len()]);
    let unit = match inner {
        Some(i) if i.len() > close_indent.len() && i.starts_with(close_indent) => {
            &i[close_indent.len()..]
        }
        _ => "  ",
    };
    let indent = format!("{close_indent}{unit}");
    let nl = newline_at(text, open);
    let block = format!(
        "{indent}condition {{{nl}\
         {indent}{unit}test     = {}{nl}\
         {indent}{unit}variable = {}{nl}\
         {indent}{unit}values   = [{}]{nl}\
         {indent}}}{nl}",
        hcl_string(op),
        hcl_string(variable),
        values.join(", ")
    );
    Some(Edit::insert(closing_line as u32, block))
}

/// The edit that replaces the lone value `member` holds with a list of `names`: one a line,
/// one level deeper than the member, when `object`'s members are one a line (in YAML, a block
/// sequence); else inline.
fn new_list(
    text: &str,
    object: &Node,
    member: &Member,
    dialect: Dialect,
    names: &[String],
) -> Option<Edit> {
    let value = &member.value;
    let key_start = member.key_span.start as usize;
    let line = line_start(text, key_start);
    let indent = &text[line..key_start];
    let own_lines = line > object.span.start as usize && is_blank(indent);
    match dialect {
        Dialect::CfnYaml => {
            let q = quote_of(text, value).unwrap_or(Quote::Plain);
            if starts_with(text, object.span, '{') {
                let items: Vec<String> = names.iter().map(|n| yaml_scalar(n, q)).collect();
                return Some(Edit::replace(value.span, format!("[{}]", items.join(", "))));
            }
            let prefix = &text[line..key_start];
            if !prefix.chars().all(|c| c == ' ' || c == '-') {
                return None;
            }
            // From just after `Key:` to the end of the value, which must be on that line.
            let colon = member.key_span.end as usize
                + text[member.key_span.end as usize..value.span.start as usize].find(':')?;
            if text[colon..value.span.start as usize].contains('\n') {
                return None;
            }
            let nl = newline_at(text, colon);
            let item_indent = " ".repeat(prefix.len() + yaml_unit(text, object, prefix.len()));
            let items: String = names
                .iter()
                .map(|n| format!("{nl}{item_indent}- {}", yaml_scalar(n, q)))
                .collect();
            Some(Edit::replace(
                Span::new(colon as u32 + 1, value.span.end),
                items,
            ))
        }
        Dialect::TfDocument => None,
        _ => {
            let items: Vec<String> = names.iter().map(|n| json_string(n)).collect();
            if !own_lines {
                return Some(Edit::replace(value.span, format!("[{}]", items.join(", "))));
            }
            let nl = newline_at(text, key_start);
            let inner = format!("{indent}{}", object_unit(text, object, indent));
            let body = items
                .iter()
                .map(|i| format!("{inner}{i}"))
                .collect::<Vec<_>>()
                .join(&format!(",{nl}"));
            Some(Edit::replace(
                value.span,
                format!("[{nl}{body}{nl}{indent}]"),
            ))
        }
    }
}

/// The edit that removes entry `i` of a bracketed list with the comma that separates it from
/// its neighbour.
fn remove_item(text: &str, items: &[Node], i: usize) -> Option<Edit> {
    let separated = |a: &Node, b: &Node| {
        let gap = text.get(a.span.end as usize..b.span.start as usize)?;
        let rest = gap.trim_start().strip_prefix(',')?;
        is_blank(rest).then_some(())
    };
    if items.len() < 2 {
        return None;
    }
    if let Some(next) = items.get(i + 1) {
        separated(&items[i], next)?;
        return Some(Edit::delete(Span::new(
            items[i].span.start,
            next.span.start,
        )));
    }
    let prev = &items[i.checked_sub(1)?];
    separated(prev, &items[i])?;
    Some(Edit::delete(Span::new(prev.span.end, items[i].span.end)))
}

/// The edit that removes the line of a YAML block sequence entry (`- kms:Put*`).
fn remove_block_item(text: &str, element: &Node) -> Option<Edit> {
    let start = element.span.start as usize;
    let line = line_start(text, start);
    if !is_item_prefix(&text[line..start]) {
        return None;
    }
    let end = end_of_line_after(text, element.span.end as usize, false)?;
    let next = text[end..].find('\n').map(|i| end + i + 1);
    let span = match next {
        Some(next) => Span::new(line as u32, next as u32),
        // The last line of the text: the line break before it goes.
        None => {
            let before = text[..line].strip_suffix('\n')?;
            let before = before.strip_suffix('\r').unwrap_or(before);
            Span::new(before.len() as u32, end as u32)
        }
    };
    Some(Edit::delete(span))
}

/// `{` at the start and `}` at the end of `span`: their offsets.
fn braces(text: &str, span: Span) -> Option<(usize, usize)> {
    let (open, end) = (span.start as usize, span.end as usize);
    let bytes = text.as_bytes();
    (end > open + 1 && bytes.get(open) == Some(&b'{') && bytes.get(end - 1) == Some(&b'}'))
        .then_some((open, end - 1))
}

fn starts_with(text: &str, span: Span, c: char) -> bool {
    text.get(span.start as usize..)
        .is_some_and(|s| s.starts_with(c))
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Whether text before a YAML block sequence entry on its line is its indicator (`  - `).
fn is_item_prefix(prefix: &str) -> bool {
    let rest = prefix.trim_start_matches(' ');
    rest.starts_with('-') && rest.len() > 1 && is_blank(&rest[1..]) && !rest.contains('\t')
}

/// Whether an entry starts a line of its own.
fn is_multiline(text: &str, node: &Node) -> bool {
    let start = node.span.start as usize;
    is_blank(&text[line_start(text, start)..start])
}

/// The offset where the line holding `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the line break (`\n`, or the `\r` of `\r\n`) ending the line that holds
/// `at`, or the end of the text.
fn line_end(text: &str, at: usize) -> usize {
    match text[at..].find('\n') {
        Some(i) if text[..at + i].ends_with('\r') => at + i - 1,
        Some(i) => at + i,
        None => text.len(),
    }
}

/// The line break used where the line holding `at` ends (`\n` at the end of the text).
fn newline_at(text: &str, at: usize) -> &'static str {
    let end = line_end(text, at);
    if text[end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The end of the line a value ending at `end` is on, when only blanks or a comment (`#`)
/// follow it there. A value whose text ends with its line break (a YAML block scalar) ends
/// the line before.
fn end_of_line_after(text: &str, end: usize, yaml: bool) -> Option<usize> {
    if yaml && text[..end].ends_with('\n') {
        let before = &text[..end - 1];
        return Some(before.strip_suffix('\r').unwrap_or(before).len());
    }
    let at = line_end(text, end);
    let rest = text[end..at].trim_start();
    (rest.is_empty() || rest.starts_with('#')).then_some(at)
}

/// Whether a YAML block mapping whose keys are at `column` ends with the line that ends at
/// `at`: the next line with content (not blank, not a comment) is less indented.
fn mapping_ends_at(text: &str, at: usize, column: usize) -> bool {
    for line in text[at..].lines().skip(1) {
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        return line.len() - content.len() < column
            || content.starts_with("---")
            || content.starts_with("...");
    }
    true
}

/// How much deeper than the keys at `column` a nested block mapping of `object` is indented
/// (two spaces when it has none).
fn yaml_unit(text: &str, object: &Node, column: usize) -> usize {
    object
        .members()
        .iter()
        .filter(|m| m.value.is_object() && !starts_with(text, m.value.span, '{'))
        .filter_map(|m| m.value.members().first())
        .map(|child| {
            let start = child.key_span.start as usize;
            start - line_start(text, start)
        })
        .find(|&c| c > column)
        .map_or(2, |c| c - column)
}

/// The indentation one level deeper than `indent` in a braced object: what its members add to
/// the indentation of the line it opens on (two spaces when that cannot be told).
fn object_unit<'t>(text: &'t str, object: &Node, indent: &'t str) -> &'t str {
    let open = object.span.start as usize;
    let outer = &text[line_start(text, open)..open];
    let outer = &outer[..outer.len() - outer.trim_start().len()];
    match indent.strip_prefix(outer) {
        Some(unit) if !unit.is_empty() && is_blank(unit) => unit,
        _ => "  ",
    }
}

/// How a YAML scalar is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    Plain,
    Single,
    Double,
}

fn quote_at(text: &str, at: usize) -> Option<Quote> {
    match text.as_bytes().get(at) {
        Some(b'\'') => Some(Quote::Single),
        Some(b'"') => Some(Quote::Double),
        _ => None,
    }
}

/// How a scalar node is quoted.
fn quote_of(text: &str, node: &Node) -> Option<Quote> {
    quote_at(text, node.span.start as usize)
}

/// The quote a YAML policy uses for strings that need one: the first used in `span`, else
/// single quotes.
fn preferred_quote(text: &str, span: Span) -> Quote {
    let source = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    match source.find(['\'', '"']).map(|i| source.as_bytes()[i]) {
        Some(b'"') => Quote::Double,
        _ => Quote::Single,
    }
}

/// `s` as a YAML scalar: plain when YAML reads it back as the same string (`Account`,
/// `kms:CreateAlias`), else quoted with `quote` (single quotes when that is plain).
fn yaml_scalar(s: &str, quote: Quote) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '/' | '-'))
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    match quote {
        Quote::Double => json_string(s),
        _ if plain && quote == Quote::Plain => s.to_string(),
        Quote::Single | Quote::Plain => format!("'{}'", s.replace('\'', "''")),
    }
}

/// `s` plain when YAML reads it back as the same string, else quoted with `quote`.
fn flow_scalar(s: &str, quote: Quote) -> String {
    let plain = yaml_scalar(s, Quote::Plain);
    if plain == s {
        plain
    } else {
        yaml_scalar(s, quote)
    }
}

/// How a new member of a YAML block mapping is written.
#[derive(Clone, Copy)]
struct YamlBlock {
    /// For values that need quoting.
    quote: Quote,
    /// For keys, when the neighbours' keys are quoted.
    key_quote: Option<Quote>,
    /// Spaces a nested mapping adds.
    unit: usize,
    nl: &'static str,
}

impl YamlBlock {
    fn scalar(&self, s: &str) -> String {
        flow_scalar(s, self.quote)
    }

    /// `key: value` at `indent`, a nested value on the lines below.
    fn member(&self, indent: &str, key: &str, value: &Lit) -> String {
        let k = match self.key_quote {
            Some(q) => yaml_scalar(key, q),
            None => self.scalar(key),
        };
        let inner = format!("{indent}{}", " ".repeat(self.unit));
        let nl = self.nl;
        match value {
            Lit::Str(s) => format!("{indent}{k}: {}", self.scalar(s)),
            Lit::Obj(members) if members.is_empty() => format!("{indent}{k}: {{}}"),
            Lit::Obj(members) => {
                let nested = YamlBlock {
                    key_quote: None,
                    ..*self
                };
                let lines: String = members
                    .iter()
                    .map(|(k, v)| format!("{nl}{}", nested.member(&inner, k, v)))
                    .collect();
                format!("{indent}{k}:{lines}")
            }
            Lit::Arr(items) => {
                let lines: String = items
                    .iter()
                    .map(|i| format!("{nl}{inner}- {}", i.yaml_flow(self.quote)))
                    .collect();
                format!("{indent}{k}:{lines}")
            }
        }
    }
}

/// `s` as an HCL quoted string: JSON escapes, and `${`/`%{` doubled so they stay literal.
fn hcl_string(s: &str) -> String {
    json_string(s).replace("${", "$${").replace("%{", "%%{")
}

/// An HCL object key: an identifier as it is, anything else quoted (always quoted when the
/// neighbours' keys are).
fn hcl_key(key: &str, quoted: bool) -> String {
    let ident = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident && !quoted {
        key.to_string()
    } else {
        hcl_string(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::json;

    fn apply(text: &str, e: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(e.span.start as usize..e.span.end as usize, &e.content);
        out
    }

    #[test]
    fn members_are_added_like_their_neighbours() {
        let text = "{\n  \"Sid\": \"A\",\n  \"Effect\": \"Allow\"\n}";
        let root = json::parse(text).unwrap();
        let lit = Lit::obj1(
            "Bool",
            Lit::obj1("kms:GrantIsForAWSResource", Lit::str("true")),
        );
        let e = insert_member(text, &root, Dialect::Json, "Condition", &lit).unwrap();
        assert_eq!(
            apply(text, &e),
            "{\n  \"Sid\": \"A\",\n  \"Effect\": \"Allow\",\n  \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}\n}"
        );
        let inline = "{\"Sid\": \"A\"}";
        let root = json::parse(inline).unwrap();
        let e = insert_member(inline, &root, Dialect::Json, "Effect", &Lit::str("Allow")).unwrap();
        assert_eq!(apply(inline, &e), "{\"Sid\": \"A\", \"Effect\": \"Allow\"}");
        let empty = "{}";
        let root = json::parse(empty).unwrap();
        let e = insert_member(
            empty,
            &root,
            Dialect::Json,
            "Version",
            &Lit::str("2012-10-17"),
        );
        assert_eq!(apply(empty, &e.unwrap()), "{\"Version\": \"2012-10-17\"}");
    }

    #[test]
    fn a_first_member_goes_before_the_others_in_their_style() {
        let version = Lit::str("2012-10-17");
        let first = |text: &str| {
            let root = json::parse(text).unwrap();
            let e = insert_first_member(text, &root, Dialect::Json, "Version", &version).unwrap();
            apply(text, &e)
        };
        assert_eq!(
            first("{\n  \"Statement\": []\n}"),
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}"
        );
        assert_eq!(
            first("{ \"Statement\" : [] }"),
            "{ \"Version\" : \"2012-10-17\", \"Statement\" : [] }"
        );
        assert_eq!(first("{}"), "{\"Version\": \"2012-10-17\"}");
    }

    #[test]
    fn strings_are_replaced_only_when_written_as_they_read() {
        let text = r#"{"Effect": "allow", "Sid": "a\u0062"}"#;
        let root = json::parse(text).unwrap();
        let effect = &root.get("Effect").unwrap().value;
        let e = replace_string(effect, text, "Allow").unwrap();
        assert_eq!(apply(text, &e), r#"{"Effect": "Allow", "Sid": "a\u0062"}"#);
        let sid = &root.get("Sid").unwrap().value;
        assert_eq!(replace_string(sid, text, "ab"), None);
        assert_eq!(replace_string(effect, text, "has \"quote\""), None);
    }

    #[test]
    fn plain_text_needs_no_quoting_anywhere() {
        assert!(is_plain("kms:Decrypt"));
        assert!(is_plain("2012-10-17"));
        assert!(!is_plain("*"));
        assert!(!is_plain("a b"));
        assert!(!is_plain(""));
        assert_eq!(json_string("a\"b\n"), r#""a\"b\n""#);
    }
}

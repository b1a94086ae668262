//! Collecting an [`Inventory`] from infrastructure as code: the keys of a CloudFormation
//! template or a Terraform module, its IAM users, roles and groups with the identity policies
//! attached to them and their group memberships, and (Terraform) its grants.
//!
//! Values are resolved by the resolvers that read key policies (`extract::cfn::Template`,
//! `extract::terraform::extract_resources`), so an identity policy is read exactly as a key
//! policy is. What cannot be resolved stays unknown: an identity whose name is a parameter has
//! a `${…}` part in its ARN, a policy attached by an ARN the source does not define is a
//! document whose statements are unknown, and nothing is guessed.

mod cfn;
mod terraform;

pub use cfn::{cloudformation, cloudformation_root};
pub use terraform::{RESOURCE_TYPES, from_module, terraform};

use std::collections::HashMap;
use std::sync::Arc;

use super::{Declared, Document, Identity, IdentityKind, IdentityPolicy};
use crate::extract::PolicyDoc;
use crate::tree::{
    CURRENT_ACCOUNT, Dialect, Member, Node, Referent, Span, Unknown, Value, has_template_part, json,
};

/// The text of a resolved name-like value: the string, a partly known string with its `${…}`
/// parts, or `${DESCRIPTION}` for a value known only by how it is written.
fn text_of(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.clone(),
        Value::Unknown(u) => match &u.partial {
            Some(p) => p.clone(),
            None => format!("${{{}}}", u.description),
        },
        _ => format!("${{{}}}", node.type_name()),
    }
}

/// The ARN of an IAM identity of the account the template or module deploys into (its
/// account is [`CURRENT_ACCOUNT`]): `path` is `/` or `/division/`.
fn identity_arn(kind: IdentityKind, path: &str, name: &str) -> String {
    let path = if path.starts_with('/') && path.ends_with('/') {
        path
    } else {
        "/"
    };
    format!(
        "arn:aws:iam::{CURRENT_ACCOUNT}:{}{path}{name}",
        kind.as_str()
    )
}

/// The identities of one template or module, with the names and references by which the
/// source names each.
#[derive(Default)]
struct Identities {
    entries: Vec<Entry>,
}

struct Entry {
    identity: Identity,
    /// The logical id or resource address that declares it; `None` for an identity the
    /// source only names (attaches a policy to, adds to a group).
    declared_as: Option<String>,
    /// Its name (`Alice`), as text (`${…}` parts when unknown).
    name: String,
}

impl Identities {
    /// Declare an identity: `id` is its logical id or resource address, `name` its name,
    /// `path` its IAM path, `declared` where and how it is declared.
    fn declare(
        &mut self,
        kind: IdentityKind,
        id: &str,
        name: &str,
        path: &str,
        declared: Declared,
    ) {
        let arn = identity_arn(kind, path, name);
        // An identity already met by name (a policy attached before the declaration is read)
        // is this one.
        if let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| e.declared_as.is_none() && e.identity.kind == kind && e.name == name)
        {
            e.declared_as = Some(id.to_string());
            e.identity.arn = arn;
            e.identity.declared = Some(declared);
            return;
        }
        self.entries.push(Entry {
            identity: Identity {
                arn,
                kind,
                policies: Vec::new(),
                groups: Vec::new(),
                declared: Some(declared),
            },
            declared_as: Some(id.to_string()),
            name: name.to_string(),
        });
    }

    /// The identity `reference` names: an identity the source declares under that id, or
    /// one with that name (a name the source does not declare is an identity of the same
    /// account declared elsewhere, added here).
    fn named(&mut self, kind: IdentityKind, reference: Reference) -> usize {
        let found = self.entries.iter().position(|e| {
            e.identity.kind == kind
                && match &reference {
                    Reference::Declared(id) => e.declared_as.as_deref() == Some(id.as_str()),
                    Reference::Name(name) => e.name == *name,
                }
        });
        if let Some(i) = found {
            return i;
        }
        let name = match reference {
            Reference::Declared(id) => format!("${{{id}}}"),
            Reference::Name(name) => name,
        };
        self.entries.push(Entry {
            identity: Identity {
                arn: identity_arn(kind, "/", &name),
                kind,
                policies: Vec::new(),
                groups: Vec::new(),
                declared: None,
            },
            declared_as: None,
            name,
        });
        self.entries.len() - 1
    }

    fn attach(&mut self, kind: IdentityKind, reference: Reference, policy: &Arc<Attached>) {
        let i = self.named(kind, reference);
        self.entries[i]
            .identity
            .policies
            .push(policy.to_identity_policy());
    }

    /// Make the user `user` a member of the group `group`.
    fn join(&mut self, user: Reference, group: Reference) {
        let g = self.named(IdentityKind::Group, group);
        let group_arn = self.entries[g].identity.arn.clone();
        let u = self.named(IdentityKind::User, user);
        let groups = &mut self.entries[u].identity.groups;
        if !groups.contains(&group_arn) {
            groups.push(group_arn);
        }
    }

    /// The ARN of each declared identity, by the id or address that declares it.
    fn declared(&self) -> HashMap<String, String> {
        self.entries
            .iter()
            .filter_map(|e| Some((e.declared_as.clone()?, e.identity.arn.clone())))
            .collect()
    }

    /// The references to the identities declared here, bound to their ARNs (see
    /// [`Bindings`]). An identity whose name is not known is left a reference.
    fn bindings(&self, source: Source) -> Bindings {
        let mut out = Bindings::default();
        for e in &self.entries {
            let Some(id) = &e.declared_as else { continue };
            if crate::tree::has_hole(&e.identity.arn) {
                continue;
            }
            let (referent, pattern) = match source {
                Source::CloudFormation => (id.as_str(), format!("${{{id}.Arn}}")),
                Source::Terraform => (
                    id.split_once('.').map_or(id.as_str(), |(_, name)| name),
                    format!("${{{id}.arn}}"),
                ),
            };
            let arn = e.identity.arn.clone();
            out.referents
                .insert((e.identity.kind, referent.to_string()), arn.clone());
            out.in_strings.push((pattern, arn));
        }
        out
    }

    fn into_identities(self) -> Vec<Identity> {
        self.entries.into_iter().map(|e| e.identity).collect()
    }
}

/// Where identities are declared: how a policy refers to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `Fn::GetAtt Bob.Arn`, `${Bob.Arn}`.
    CloudFormation,
    /// `aws_iam_user.bob.arn`, `${aws_iam_user.bob.arn}`.
    Terraform,
}

/// The ARNs of the identities a source declares, for the references to them in its policies:
/// a key policy naming `!GetAtt Bob.Arn` or `aws_iam_user.bob.arn` names the user whose ARN
/// is `arn:aws:iam::(current account):user/Bob`, and says so once bound, so it is the same
/// principal as the identity with that ARN.
#[derive(Default)]
struct Bindings {
    referents: HashMap<(IdentityKind, String), String>,
    /// `${Bob.Arn}` in a computed string, and the ARN it is.
    in_strings: Vec<(String, String)>,
}

impl Bindings {
    /// Replace the references to bound identities in a policy tree by their ARNs.
    fn bind(&self, root: &mut Node) {
        if self.in_strings.is_empty() {
            return;
        }
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if let Value::Unknown(u) = &node.value {
                if let Some(bound) = self.bound(u) {
                    node.value = bound;
                }
                continue;
            }
            match &mut node.value {
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(members) => stack.extend(members.iter_mut().map(|m| &mut m.value)),
                _ => {}
            }
        }
    }

    /// What an unknown value is once bound, when it refers to a bound identity.
    fn bound(&self, u: &Unknown) -> Option<Value> {
        if let Some(text) = &u.partial {
            let mut bound = text.clone();
            for (pattern, arn) in &self.in_strings {
                if bound.contains(pattern.as_str()) {
                    bound = bound.replace(pattern.as_str(), arn);
                }
            }
            return (bound != *text).then(|| {
                if has_template_part(&bound) {
                    Value::Unknown(Unknown::partial(bound))
                } else {
                    Value::String(bound)
                }
            });
        }
        let (kind, name) = match u.refers_to.as_ref()? {
            Referent::IamUser(n) => (IdentityKind::User, n),
            Referent::IamRole(n) => (IdentityKind::Role, n),
            Referent::IamGroup(n) => (IdentityKind::Group, n),
            Referent::IamNameOf { .. } => return None,
        };
        let arn = self.referents.get(&(kind, name.clone()))?;
        Some(Value::String(arn.clone()))
    }

    /// Bind the references of every key and identity policy of an inventory.
    fn bind_inventory(&self, inventory: &mut super::Inventory) {
        for key in &mut inventory.keys {
            self.bind(&mut key.policy.doc.root);
        }
        for identity in &mut inventory.identities {
            for p in &mut identity.policies {
                self.bind(&mut p.doc.doc.root);
            }
        }
    }
}

/// How a source names an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reference {
    /// By the logical id or resource address that declares it.
    Declared(String),
    /// By its name.
    Name(String),
}

/// A policy document that identities use, shared by every identity it is attached to.
struct Attached {
    name: String,
    path: String,
    doc: PolicyDoc,
    file_text: Arc<str>,
}

impl Attached {
    /// A copy for one identity (documents are owned by each identity's policy).
    fn to_identity_policy(&self) -> IdentityPolicy {
        IdentityPolicy {
            name: self.name.clone(),
            path: self.path.clone(),
            doc: Document::new(copy_doc(&self.doc), Arc::clone(&self.file_text)),
        }
    }
}

fn copy_doc(doc: &PolicyDoc) -> PolicyDoc {
    PolicyDoc {
        name: doc.name.clone(),
        root: doc.root.clone(),
        embedded: doc.embedded.clone(),
        origin: doc.origin,
        dialect: doc.dialect,
    }
}

/// A policy whose statements cannot be known (a managed policy the source attaches by an ARN
/// it does not define, a document kmslint cannot read): `Statement` is an unknown value
/// written at `span` of `file_text`, so an evaluation of it is never a plain yes or no.
fn unknown_document(name: &str, span: Span, why: &str, dialect: Dialect) -> PolicyDoc {
    let statement = Node::unknown(span, Unknown::new(why));
    PolicyDoc {
        name: Some(name.to_string()),
        root: Node::new(
            span,
            Value::Object(vec![Member {
                key: "Statement".to_string(),
                key_span: span,
                value: statement,
            }]),
        ),
        embedded: None,
        origin: None,
        dialect,
    }
}

/// The key policy AWS gives a key created without one: the account root may do anything with
/// the key, which lets IAM policies grant it. `account` is how the source writes its own
/// account (`${AWS::AccountId}`).
fn default_key_policy(name: &str, account: &str) -> Document {
    let text: Arc<str> = Arc::from(format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": \"arn:aws:iam::{account}:root\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}]}}"
    ));
    // The text is written here and is valid JSON: should it ever fail to parse, the policy is
    // one whose statements are unknown rather than a panic.
    let root = json::parse(&text).unwrap_or_else(|e| {
        Node::unknown(
            Span::new(0, text.len() as u32),
            Unknown::new(format!("the default key policy: {}", e.message)),
        )
    });
    Document::new(
        PolicyDoc {
            name: Some(format!("{name} (default key policy)")),
            root,
            embedded: None,
            origin: None,
            dialect: Dialect::Json,
        },
        text,
    )
}

/// The `AWS` principals of statement `i` of a key's policy, as the collectors' tests read them.
#[cfg(test)]
fn statement_principals(key: &super::Key, i: usize) -> Vec<String> {
    let st = &key
        .policy
        .doc
        .root
        .get("Statement")
        .unwrap()
        .value
        .one_or_many()[i];
    let aws = &st.get("Principal").unwrap().value.get("AWS").unwrap().value;
    aws.one_or_many().iter().map(text_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_arns_keep_the_path_and_an_unknown_account() {
        assert_eq!(
            identity_arn(IdentityKind::Role, "/", "Reader"),
            format!("arn:aws:iam::{CURRENT_ACCOUNT}:role/Reader")
        );
        assert_eq!(
            identity_arn(IdentityKind::User, "/staff/", "Alice"),
            format!("arn:aws:iam::{CURRENT_ACCOUNT}:user/staff/Alice")
        );
        assert_eq!(
            identity_arn(IdentityKind::Group, "staff", "Devs"),
            format!("arn:aws:iam::{CURRENT_ACCOUNT}:group/Devs")
        );
    }

    #[test]
    fn the_default_key_policy_enables_iam() {
        let doc = default_key_policy("Resources.Key", "${AWS::AccountId}");
        let st = &doc.doc.root.get("Statement").unwrap().value.one_or_many()[0];
        let aws = &st.get("Principal").unwrap().value.get("AWS").unwrap().value;
        assert_eq!(aws.as_str(), Some("arn:aws:iam::${AWS::AccountId}:root"));
        assert_eq!(
            doc.doc.name.as_deref(),
            Some("Resources.Key (default key policy)")
        );
    }

    /// The verdicts of the seed example (three keys, four users), for the keys in the order
    /// A, B, C: every operation of the matrix is `allow`, `deny` or `no`, except Charlie's on
    /// A, where only `kms:Encrypt` is allowed.
    fn seed_verdicts(inv: &super::super::Inventory) {
        use crate::access::eval::{OpGroup, Subject, Verdict, evaluate};
        use crate::model::PolicyContext;
        use Verdict::{Allowed, Denied, NotAllowed};
        assert_eq!(inv.keys.len(), 3);
        let expected = [
            ("Alice", [Allowed, NotAllowed, Allowed]),
            ("Bob", [NotAllowed, Allowed, Denied]),
            ("Charlie", [NotAllowed, Allowed, Denied]),
            ("David", [NotAllowed, NotAllowed, Denied]),
        ];
        for (user, verdicts) in expected {
            let who = Subject::new(&identity_arn(IdentityKind::User, "/", user));
            for (i, (key, verdict)) in inv.keys.iter().zip(verdicts).enumerate() {
                let answers = evaluate(
                    inv,
                    &who,
                    key,
                    OpGroup::every_action(),
                    &PolicyContext::default(),
                );
                for a in answers {
                    let verdict = match (user, i, a.operation.name) {
                        ("Charlie", 0, "Encrypt") => Allowed,
                        _ => verdict,
                    };
                    assert_eq!(
                        a.verdict, verdict,
                        "{user} kms:{} on {}: {:?}",
                        a.operation.name, key.name, a.reasons
                    );
                }
            }
        }
    }

    #[test]
    fn the_seed_template_gives_the_seed_verdicts() {
        let text = include_str!("../../../tests/explain/seed-cfn/template.yaml");
        seed_verdicts(&cloudformation(
            "template.yaml",
            text,
            crate::extract::cfn::Syntax::Yaml,
        ));
    }

    #[test]
    fn the_seed_module_gives_the_seed_verdicts() {
        let file = |display: &str, text: &str| crate::extract::terraform::ModuleFile {
            display: display.to_string(),
            fs_path: None,
            text: text.to_string(),
        };
        let files = vec![
            file(
                "keys.tf",
                include_str!("../../../tests/explain/seed-tf/keys.tf"),
            ),
            file(
                "users.tf",
                include_str!("../../../tests/explain/seed-tf/users.tf"),
            ),
        ];
        seed_verdicts(&terraform(
            files,
            std::path::Path::new("."),
            &crate::extract::terraform::NoFiles,
        ));
    }

    #[test]
    fn a_name_met_before_its_declaration_is_the_declared_identity() {
        let mut ids = Identities::default();
        ids.join(
            Reference::Name("Alice".into()),
            Reference::Name("Devs".into()),
        );
        ids.declare(
            IdentityKind::User,
            "Resources.Alice",
            "Alice",
            "/",
            Declared {
                id: "Alice".to_string(),
                name: Some("Alice".to_string()),
                span: Span::default(),
            },
        );
        let list = ids.into_identities();
        assert_eq!(list.len(), 2);
        let alice = list.iter().find(|i| i.kind == IdentityKind::User).unwrap();
        assert_eq!(
            alice.groups,
            [identity_arn(IdentityKind::Group, "/", "Devs")]
        );
    }
}

//! Who can do what with each key: the key policies, identity (IAM) policies and grants of a
//! run gathered into an [`Inventory`], and evaluated together the way AWS evaluates a request
//! to KMS ([`eval`]).
//!
//! The inventory is plain owned data: plain JSON inputs, `--iam` files and `list-grants`
//! output fill it, and so do CloudFormation templates and Terraform modules, each source
//! giving an inventory that [`Inventory::merge`] joins.

pub mod collect;
pub mod eval;
pub mod report;

use std::sync::Arc;

use crate::extract::PolicyDoc;
use crate::model::{Policy, PolicyContext};
use crate::tree::Span;

/// Everything a run knows about access: keys, identities and grants.
#[derive(Debug, Default)]
pub struct Inventory {
    pub keys: Vec<Key>,
    pub identities: Vec<Identity>,
    pub grants: Vec<Grant>,
    /// Every key policy document a template or module holds, as read (references to its
    /// identities not bound), one that another resource replaces included: for the rules that
    /// judge what a document says rather than what a key allows.
    pub policies: Vec<Document>,
}

impl Inventory {
    /// Add what `other` holds. An identity met twice (the same ARN and kind, say a role
    /// whose inline policies are in one template and whose attached policy is in another) is
    /// one identity with the policies and groups of both.
    pub fn merge(&mut self, other: Inventory) {
        self.keys.extend(other.keys);
        for identity in other.identities {
            match self
                .identities
                .iter_mut()
                .find(|i| i.arn == identity.arn && i.kind == identity.kind)
            {
                Some(known) => {
                    known.policies.extend(identity.policies);
                    if known.declared.is_none() {
                        known.declared = identity.declared;
                    }
                    for g in identity.groups {
                        if !known.groups.contains(&g) {
                            known.groups.push(g);
                        }
                    }
                }
                None => self.identities.push(identity),
            }
        }
        self.grants.extend(other.grants);
        self.policies.extend(other.policies);
    }

    /// The identity with this ARN (or name, when its account is unknown).
    pub fn identity(&self, arn: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.arn == arn)
    }
}

/// A parsed policy document, owned: the document as extraction found it and the text its
/// spans index into.
#[derive(Debug)]
pub struct Document {
    pub doc: PolicyDoc,
    /// The text of the file the document is in (for a policy written as a string, the
    /// document's own decoded text is [`Document::text`]).
    pub file_text: Arc<str>,
}

impl Document {
    /// A document and the file text it was found in.
    pub fn new(doc: PolicyDoc, file_text: Arc<str>) -> Self {
        Document { doc, file_text }
    }

    /// The text the document's spans index into.
    pub fn text(&self) -> &str {
        self.doc.text(&self.file_text)
    }

    /// The document read into the policy model.
    pub fn policy(&self, context: &PolicyContext) -> Policy<'_> {
        let mut policy = Policy::new(&self.doc.root, self.text(), context);
        policy.dialect = self.doc.dialect;
        policy
    }
}

/// A KMS key and its key policy.
#[derive(Debug)]
pub struct Key {
    /// The key as diagnostics name its policy (`Resources.PaymentsKey`,
    /// `aws_kms_key.payments`), or for a plain policy file its path as given.
    pub name: String,
    /// The file that declares the key (or holds its policy), as shown.
    pub path: String,
    /// The key's ARN when known (`--key-arn`, a plan's state, `get-key-policy` context).
    pub arn: Option<String>,
    /// Other strings an IAM policy's `Resource` or a grant may use for this key: alias ARNs,
    /// the key id, and unresolved references as written (`aws_kms_key.payments.arn`,
    /// `PaymentsKey.Arn`, `Ref PaymentsKey`).
    pub refs: Vec<String>,
    /// The key policy.
    pub policy: Document,
    /// The key's account when known (otherwise the policy model infers it).
    pub account: Option<String>,
}

impl Key {
    /// Whether `text` (an ARN, key id or reference) stands for this key.
    pub fn is_named_by(&self, text: &str) -> bool {
        self.arn.as_deref() == Some(text)
            || self.refs.iter().any(|r| r == text)
            || self
                .arn
                .as_deref()
                .and_then(key_id)
                .is_some_and(|id| id == text)
    }
}

/// The key id of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
pub fn key_id(arn: &str) -> Option<&str> {
    arn.split_once(":key/").map(|(_, id)| id)
}

/// What kind of IAM identity an [`Identity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdentityKind {
    User,
    Role,
    Group,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::User => "user",
            IdentityKind::Role => "role",
            IdentityKind::Group => "group",
        }
    }
}

/// An IAM user, role or group and the identity policies attached to it.
#[derive(Debug)]
pub struct Identity {
    /// Its ARN (`arn:aws:iam::111122223333:user/Alice`), or its name or reference as written
    /// when the account is unknown (`aws_iam_user.alice`, `AliceUser`).
    pub arn: String,
    pub kind: IdentityKind,
    /// Inline and attached policies.
    pub policies: Vec<IdentityPolicy>,
    /// The groups it belongs to (users only), by ARN or name as its groups' `arn`.
    pub groups: Vec<String>,
    /// Where the template or module read declares it; `None` for an identity it only names
    /// (and for `--iam`).
    pub declared: Option<Declared>,
}

/// Where a CloudFormation template or a Terraform module declares an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// How a reference to it names it: the logical id (`Analysts`), or the resource name
    /// (`analysts` in `aws_iam_group.analysts`).
    pub id: String,
    /// Its name when the source writes it literally (`GroupName`, `name`).
    pub name: Option<String>,
    /// The declaration: the logical id, or the block's `resource "aws_iam_group" "x"`, in
    /// the coordinates of the source's text (a module's files one after another).
    pub span: Span,
}

/// One identity policy of an identity.
#[derive(Debug)]
pub struct IdentityPolicy {
    /// How reasons name it (`Alice`, `aws_iam_policy.kms_use`, `Resources.UsePolicy`).
    pub name: String,
    /// The file it is in, as shown.
    pub path: String,
    /// The policy document (no `Principal`).
    pub doc: Document,
}

/// A KMS grant: a permission on one key for one grantee, outside the key policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// How reasons name it: its `Name`, else its id or reference.
    pub name: String,
    /// The key: its ARN, id or a reference (matched with [`Key::is_named_by`]).
    pub key: String,
    /// The grantee principal (an ARN, or a reference as written).
    pub grantee: String,
    /// The operations it allows (`Decrypt`, `kms:Decrypt`: the prefix is optional).
    pub operations: Vec<String>,
    /// The principal that may retire it.
    pub retiring: Option<String>,
    /// Its constraints as text (`EncryptionContextSubset {"Department":"IT"}`): a grant with
    /// constraints allows only requests whose encryption context fits, so its answer is
    /// conditional. Empty: no constraint.
    pub constraints: Vec<String>,
    /// The file it is in, as shown.
    pub path: String,
}

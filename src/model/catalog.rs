//! The KMS action and condition-key catalogs, generated from `data/kms-actions.tsv` and
//! `data/condition-keys.tsv` by `tests/catalog.rs`, which fails when this file is not what
//! they give: edit them, not this file, and run `KMSLINT_BLESS=1 cargo test --test catalog`.

use super::action::{ActionInfo, Category, PolicyScope};
use super::condition::{ConditionKeyInfo, KeyType};

/// Every KMS action, sorted by name. Bit `i` of an `ActionSet` is `ACTIONS[i]`.
pub static ACTIONS: &[ActionInfo] = &[
    ActionInfo {
        name: "CancelKeyDeletion",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "ConnectCustomKeyStore",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "CreateAlias",
        access_level: "Write",
        scope: PolicyScope::Both,
        category: Category::Manage,
    },
    ActionInfo {
        name: "CreateCustomKeyStore",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "CreateGrant",
        access_level: "Permissions management",
        scope: PolicyScope::Key,
        category: Category::Grant,
    },
    ActionInfo {
        name: "CreateKey",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::Account,
    },
    ActionInfo {
        name: "Decrypt",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "DeleteAlias",
        access_level: "Write",
        scope: PolicyScope::Both,
        category: Category::Manage,
    },
    ActionInfo {
        name: "DeleteCustomKeyStore",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "DeleteImportedKeyMaterial",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Destroy,
    },
    ActionInfo {
        name: "DeriveSharedSecret",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "DescribeCustomKeyStores",
        access_level: "Read",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "DescribeKey",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "DisableKey",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Destroy,
    },
    ActionInfo {
        name: "DisableKeyRotation",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "DisconnectCustomKeyStore",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "EnableKey",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "EnableKeyRotation",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "Encrypt",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateDataKey",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateDataKeyPair",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateDataKeyPairWithoutPlaintext",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateDataKeyWithoutPlaintext",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateMac",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "GenerateRandom",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::Account,
    },
    ActionInfo {
        name: "GetKeyLastUsage",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "GetKeyPolicy",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "GetKeyRotationStatus",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "GetParametersForImport",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "GetPublicKey",
        access_level: "Read",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "ImportKeyMaterial",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "ListAliases",
        access_level: "List",
        scope: PolicyScope::Iam,
        category: Category::Account,
    },
    ActionInfo {
        name: "ListGrants",
        access_level: "List",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "ListKeyPolicies",
        access_level: "List",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "ListKeyRotations",
        access_level: "List",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "ListKeys",
        access_level: "List",
        scope: PolicyScope::Iam,
        category: Category::Account,
    },
    ActionInfo {
        name: "ListResourceTags",
        access_level: "List",
        scope: PolicyScope::Key,
        category: Category::Read,
    },
    ActionInfo {
        name: "ListRetirableGrants",
        access_level: "List",
        scope: PolicyScope::Iam,
        category: Category::Account,
    },
    ActionInfo {
        name: "PutKeyPolicy",
        access_level: "Permissions management",
        scope: PolicyScope::Key,
        category: Category::Policy,
    },
    ActionInfo {
        name: "ReEncryptFrom",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "ReEncryptTo",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "ReplicateKey",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "RetireGrant",
        access_level: "Permissions management",
        scope: PolicyScope::Key,
        category: Category::Grant,
    },
    ActionInfo {
        name: "RevokeGrant",
        access_level: "Permissions management",
        scope: PolicyScope::Key,
        category: Category::Grant,
    },
    ActionInfo {
        name: "RotateKeyOnDemand",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "ScheduleKeyDeletion",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Destroy,
    },
    ActionInfo {
        name: "Sign",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "SynchronizeMultiRegionKey",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "TagResource",
        access_level: "Tagging",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "UntagResource",
        access_level: "Tagging",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "UpdateAlias",
        access_level: "Write",
        scope: PolicyScope::Both,
        category: Category::Manage,
    },
    ActionInfo {
        name: "UpdateCustomKeyStore",
        access_level: "Write",
        scope: PolicyScope::Iam,
        category: Category::KeyStore,
    },
    ActionInfo {
        name: "UpdateKeyDescription",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "UpdatePrimaryRegion",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Manage,
    },
    ActionInfo {
        name: "Verify",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
    ActionInfo {
        name: "VerifyMac",
        access_level: "Write",
        scope: PolicyScope::Key,
        category: Category::Use,
    },
];

/// Condition keys KMS key policies use; a name ending in `:` or `/` is a prefix.
pub static CONDITION_KEYS: &[ConditionKeyInfo] = &[
    ConditionKeyInfo {
        name: "kms:BypassPolicyLockoutSafetyCheck",
        key_type: KeyType::Bool,
        note: "CreateKey / PutKeyPolicy only",
    },
    ConditionKeyInfo {
        name: "kms:CallerAccount",
        key_type: KeyType::String,
        note: "account id of the caller",
    },
    ConditionKeyInfo {
        name: "kms:CustomerMasterKeySpec",
        key_type: KeyType::String,
        note: "deprecated; use kms:KeySpec",
    },
    ConditionKeyInfo {
        name: "kms:CustomerMasterKeyUsage",
        key_type: KeyType::String,
        note: "deprecated; use kms:KeyUsage",
    },
    ConditionKeyInfo {
        name: "kms:DataKeyPairSpec",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:EncryptionAlgorithm",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:EncryptionContext:",
        key_type: KeyType::String,
        note: "prefix; the name after the colon is the encryption-context key",
    },
    ConditionKeyInfo {
        name: "kms:EncryptionContextKeys",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "kms:ExpirationModel",
        key_type: KeyType::String,
        note: "ImportKeyMaterial",
    },
    ConditionKeyInfo {
        name: "kms:GrantConstraintSourceArn",
        key_type: KeyType::Arn,
        note: "CreateGrant",
    },
    ConditionKeyInfo {
        name: "kms:GrantConstraintType",
        key_type: KeyType::String,
        note: "CreateGrant (EncryptionContextEquals or EncryptionContextSubset)",
    },
    ConditionKeyInfo {
        name: "kms:GrantIsForAWSResource",
        key_type: KeyType::Bool,
        note: "CreateGrant, ListGrants, RevokeGrant: true only when an integrated AWS service calls on the principal's behalf",
    },
    ConditionKeyInfo {
        name: "kms:GrantOperations",
        key_type: KeyType::ArrayOfString,
        note: "CreateGrant; multivalued",
    },
    ConditionKeyInfo {
        name: "kms:GranteePrincipal",
        key_type: KeyType::String,
        note: "CreateGrant",
    },
    ConditionKeyInfo {
        name: "kms:GranteeServicePrincipal",
        key_type: KeyType::String,
        note: "CreateGrant",
    },
    ConditionKeyInfo {
        name: "kms:KeyAgreementAlgorithm",
        key_type: KeyType::String,
        note: "DeriveSharedSecret",
    },
    ConditionKeyInfo {
        name: "kms:KeyOrigin",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:KeySpec",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:KeyUsage",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:MacAlgorithm",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:MessageType",
        key_type: KeyType::String,
        note: "Sign / Verify",
    },
    ConditionKeyInfo {
        name: "kms:MultiRegion",
        key_type: KeyType::Bool,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:MultiRegionKeyType",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:PrimaryRegion",
        key_type: KeyType::String,
        note: "UpdatePrimaryRegion",
    },
    ConditionKeyInfo {
        name: "kms:ReEncryptOnSameKey",
        key_type: KeyType::Bool,
        note: "ReEncrypt*",
    },
    ConditionKeyInfo {
        name: "kms:RecipientAttestation:ImageSha384",
        key_type: KeyType::String,
        note: "Nitro enclave attestation",
    },
    ConditionKeyInfo {
        name: "kms:RecipientAttestation:PCR",
        key_type: KeyType::String,
        note: "prefix followed by a number 0-31",
    },
    ConditionKeyInfo {
        name: "kms:RecipientAttestation:NitroTPMPCR",
        key_type: KeyType::String,
        note: "prefix followed by a number 0-23",
    },
    ConditionKeyInfo {
        name: "kms:ReplicaRegion",
        key_type: KeyType::String,
        note: "ReplicateKey",
    },
    ConditionKeyInfo {
        name: "kms:RequestAlias",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:ResourceAliases",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "kms:RetiringPrincipal",
        key_type: KeyType::String,
        note: "CreateGrant",
    },
    ConditionKeyInfo {
        name: "kms:RetiringServicePrincipal",
        key_type: KeyType::String,
        note: "CreateGrant",
    },
    ConditionKeyInfo {
        name: "kms:RotationPeriodInDays",
        key_type: KeyType::Numeric,
        note: "EnableKeyRotation",
    },
    ConditionKeyInfo {
        name: "kms:ScheduleKeyDeletionPendingWindowInDays",
        key_type: KeyType::Numeric,
        note: "ScheduleKeyDeletion",
    },
    ConditionKeyInfo {
        name: "kms:SigningAlgorithm",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "kms:TrailingDaysWithoutKeyUsage",
        key_type: KeyType::Numeric,
        note: "DisableKey",
    },
    ConditionKeyInfo {
        name: "kms:ValidTo",
        key_type: KeyType::Date,
        note: "ImportKeyMaterial",
    },
    ConditionKeyInfo {
        name: "kms:ViaService",
        key_type: KeyType::String,
        note: "e.g. ec2.us-east-1.amazonaws.com",
    },
    ConditionKeyInfo {
        name: "kms:WrappingAlgorithm",
        key_type: KeyType::String,
        note: "GetParametersForImport",
    },
    ConditionKeyInfo {
        name: "kms:WrappingKeySpec",
        key_type: KeyType::String,
        note: "GetParametersForImport",
    },
    ConditionKeyInfo {
        name: "aws:CalledVia",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:CalledViaFirst",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:CalledViaLast",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:CurrentTime",
        key_type: KeyType::Date,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:EpochTime",
        key_type: KeyType::Numeric,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:MultiFactorAuthAge",
        key_type: KeyType::Numeric,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:MultiFactorAuthPresent",
        key_type: KeyType::Bool,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalAccount",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalArn",
        key_type: KeyType::Arn,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalIsAWSService",
        key_type: KeyType::Bool,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalOrgID",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalOrgPaths",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalServiceName",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalServiceNamesList",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalTag/",
        key_type: KeyType::String,
        note: "prefix",
    },
    ConditionKeyInfo {
        name: "aws:PrincipalType",
        key_type: KeyType::String,
        note: "values: Account, User, FederatedUser, AssumedRole, Anonymous",
    },
    ConditionKeyInfo {
        name: "aws:RequestTag/",
        key_type: KeyType::String,
        note: "prefix",
    },
    ConditionKeyInfo {
        name: "aws:RequestedRegion",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:ResourceAccount",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:ResourceOrgID",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:ResourceOrgPaths",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:ResourceTag/",
        key_type: KeyType::String,
        note: "prefix",
    },
    ConditionKeyInfo {
        name: "aws:SecureTransport",
        key_type: KeyType::Bool,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:SourceAccount",
        key_type: KeyType::String,
        note: "service-to-service requests (confused-deputy guard)",
    },
    ConditionKeyInfo {
        name: "aws:SourceArn",
        key_type: KeyType::Arn,
        note: "service-to-service requests (confused-deputy guard)",
    },
    ConditionKeyInfo {
        name: "aws:SourceIdentity",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:SourceIp",
        key_type: KeyType::String,
        note: "IP address type (IpAddress / NotIpAddress operators)",
    },
    ConditionKeyInfo {
        name: "aws:SourceOrgID",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:SourceOrgPaths",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:SourceVpc",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:SourceVpce",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:TagKeys",
        key_type: KeyType::ArrayOfString,
        note: "multivalued",
    },
    ConditionKeyInfo {
        name: "aws:TokenIssueTime",
        key_type: KeyType::Date,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:userid",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:username",
        key_type: KeyType::String,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:ViaAWSService",
        key_type: KeyType::Bool,
        note: "",
    },
    ConditionKeyInfo {
        name: "aws:VpcSourceIp",
        key_type: KeyType::String,
        note: "IP address type",
    },
];

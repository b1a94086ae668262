{
  %{ if key_id != "" }"Id": "${key_id}",%{ endif }
  "Statement": [
    {
      "Sid": "EnableRootAccess",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "kms:*",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}
    },
    {
      "Sid": "AppUse",
      "Effect": "Allow",
      "Principal": {"AWS": ${jsonencode(app_role_arns)}},
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
      "Resource": "*"
    }%{ if allow_grants },
    {
      "Sid": "AppGrants",
      "Effect": "Allow",
      "Principal": {"AWS": ${jsonencode(app_role_arns)}},
      "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      "Resource": "*",
      "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    }%{ endif }
  ]
}

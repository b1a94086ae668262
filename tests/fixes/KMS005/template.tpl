{
  "Version": "2012-10-17",
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
      "Principal": {"AWS": "arn:aws:iam::${account_id}:role/${app_role}"},
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
      "Resource": "*"
    },
    {
      "Sid": "AppGrants",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:role/${app_role}"},
      "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      "Resource": "*"
    }
  ]
}

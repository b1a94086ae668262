resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_kms_key" "app" {
  description = "Encrypts the application's data"
  policy      = <<-EOT
    {
      "version": "2012-10-17",
      "Statement": [
        {
          "Sid": "EnableRootAccess",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
          "Action": "kms:*",
          "Resource": "*",
          "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}
        },
        {
          "Sid": "AppUse",
          "Effect": "Allow",
          "Principal": {"AWS": "${aws_iam_role.app.arn}"},
          "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
          "Resource": "*"
        },
        {
          "Sid": "AppGrants",
          "Effect": "Allow",
          "Principal": {"AWS": "${aws_iam_role.app.arn}"},
          "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
          "Resource": "*",
          "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
        }
      ]
    }
  EOT
}

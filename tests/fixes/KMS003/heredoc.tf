resource "aws_kms_key" "app" {
  description = "Encrypts the application's data"
  policy      = <<-EOT
    {
      "Version": "2012-10-17",
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
          "Sid": "KeyAdministrators",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
          "Action": [
            "kms:Describe*",
            "kms:Enable*",
            "kms:Create*",
            "kms:Put*"
          ],
          "Resource": "*"
        },
        {
          "Sid": "AppUse",
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
          "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
          "Resource": "*"
        }
      ]
    }
  EOT
}

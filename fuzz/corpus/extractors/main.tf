data "aws_caller_identity" "current" {}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_kms_key" "payments" {
  description = "payments"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableRootAccessAndPreventPermissionDelegation"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
        Condition = { StringEquals = { "aws:PrincipalType" = "Account" } }
      },
      {
        Sid       = "Admins"
        Effect    = "Allow"
        Principal = { AWS = [aws_iam_group.admins.arn, var.auditor_arn] }
        Action    = ["kms:Describe*"]
        Resource  = "*"
      },
      {
        Sid       = "App"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/App" }
        # kmslint: ignore[grant-without-aws-resource-guard] EBS only
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_key_policy" "heredoc" {
  key_id = aws_kms_key.payments.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:group/Heredoc"},
        "Action": "kms:Decrypt",
        "Resource": "*"
      }]
    }
  EOT
}

resource "aws_kms_replica_key" "quoted" {
  primary_key_arn = aws_kms_key.payments.arn
  policy          = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:group/Quoted\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}"
}

resource "aws_kms_key" "from_document" {
  policy = data.aws_iam_policy_document.key.json
}

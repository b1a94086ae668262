locals {
  root_statement = merge(var.base_statement, { Sid = "Root" })
}

resource "aws_kms_key" "root_from_a_local" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.root_statement, {
      Sid       = "Readers"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/reader" }
      Action    = "kms:Decrypt"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_key" "root_actions_from_a_variable" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = var.root_actions
      Resource  = "*"
    }]
  })
}

resource "aws_kms_key" "admin_use_from_a_variable" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Root"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "kms:*"
        Resource  = "*"
        Condition = { StringEquals = { "aws:PrincipalType" = "Account" } }
      },
      {
        Sid       = "Admins"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/admin" }
        Action    = ["kms:Describe*", "kms:PutKeyPolicy"]
        Resource  = "*"
      },
      {
        Sid       = "AdminsUse"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/admin" }
        Action    = var.admin_use_actions
        Resource  = "*"
      },
      {
        Sid       = "App"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
        Action    = ["kms:Encrypt", "kms:Decrypt"]
        Resource  = "*"
      }
    ]
  })
}

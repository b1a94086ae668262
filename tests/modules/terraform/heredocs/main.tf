variable "admins" {
  type = list(string)
}

resource "aws_kms_key" "heredoc" {
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Root",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${var.account_id}:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "Admins",
      "Effect": "Allow",
      "Principal": {"AWS": ${jsonencode(var.admins)}},
      "Action": ["kms:Create*", "kms:Describe*"],
      "Resource": "*"
    },
%{ if var.allow_public ~}
    {
      "Sid": "Public",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "kms:Decrypt",
      "Resource": "*"
    },
%{ endif ~}
    {
      "Sid": "Operators",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${var.account_id}:role/operator"},
      "Action": ["kms:Describe*", "kms:Create*"],
      "Resource": "*"
    }
  ]
}
EOF
}

resource "aws_kms_key" "indented" {
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::${var.account_id}:group/ops"},
          "Action": "kms:Decrypt",
          "Resource": "*"
        }
      ]
    }
  POLICY
}

resource "aws_kms_key" "quoted" {
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::${var.account_id}:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}, {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}"
}

resource "aws_kms_key" "broken" {
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow" "Principal": {"AWS": "arn:aws:iam::${var.account_id}:root"}, "Action": "kms:*", "Resource": "*"}
  ]
}
EOF
}

resource "aws_kms_replica_key" "replica" {
  primary_key_arn = var.primary_arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "Root"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      }],
      var.allow_auditors ? [{
        Sid       = "Auditors"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:group/auditors" }
        Action    = "kms:Decrypt"
        Resource  = "*"
      }] : []
    )
  })
}

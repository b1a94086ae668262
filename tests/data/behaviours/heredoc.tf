resource "aws_kms_external_key" "primary" {
  description = "imported key material"
}

resource "aws_kms_replica_external_key" "dr" {
  primary_key_arn = aws_kms_external_key.primary.arn
  policy          = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Root",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}
    },
    {
      "Sid": "Ops",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:group/Ops"},
      "Action": "kms:Decrypt",
      "Resource": "*"
    }
  ]
}
EOF
}

resource "aws_kms_replica_key" "eu" {
  primary_key_arn = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd"
  policy = <<POLICY
    {"Version": "2012-10-17", "Statement": [
      {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
      {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:CreateGrant", "Resource": "*"}
    ]}
POLICY
}

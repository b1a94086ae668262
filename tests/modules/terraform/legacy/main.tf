data "template_file" "kms_policy" {
  template = "${file("${path.module}/kms_policy.json.tpl")}"

  vars {
    account_id = "${var.account_id}"
    region     = "${var.region}"
  }
}

resource "aws_kms_key" "legacy" {
  description = "Terraform 0.11 style"
  policy      = "${data.template_file.kms_policy.rendered}"
}

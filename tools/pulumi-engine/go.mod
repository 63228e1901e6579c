module pulumi-pfsense-ha.invalid/pulumi-engine

go 1.26

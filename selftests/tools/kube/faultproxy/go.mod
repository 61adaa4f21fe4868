// faultproxy: a fault-injecting TCP proxy for tests (standard library only).
module podnet.test/kube/faultproxy

go 1.26.0

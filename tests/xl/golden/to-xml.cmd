config-convert --to-xml pvlinux.cfg

config-convert --to-xl pvlinux.json

config-convert --to-xl libvirt-pv.xml

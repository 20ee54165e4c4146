create -n -q -f minimal.cfg vcpus=2 memory=64

f() { echo in f; }
f 2>/dev/null >>/tmp/log <in 2>&1 &
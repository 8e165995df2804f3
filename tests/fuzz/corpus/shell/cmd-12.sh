case $1 in
  a) echo a ;;
  b|c) systemctl stop x ;;
esac

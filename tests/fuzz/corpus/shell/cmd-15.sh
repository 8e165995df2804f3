x=$(date
 +%F) echo "$(id -un) `date`" <(ls) $'a\tb'
if true; then
  echo a
else
  rm -f b
fi
echo c

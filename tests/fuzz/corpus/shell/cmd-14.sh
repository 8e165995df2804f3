docker run \
  --rm \
  -v /:/host alpine

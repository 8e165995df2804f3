cat <<-'EOF' | psql
	DROP TABLE users;
	EOF
ls

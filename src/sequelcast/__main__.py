from sequelcast.cli import main

main()

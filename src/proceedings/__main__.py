from proceedings.cli import main

main()

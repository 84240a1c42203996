from imr.cli.app import main

main()

import IPMApp

await CLIEntry.main()

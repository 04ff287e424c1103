import ArgumentParser
@main struct AutoscalerCommand: ParsableCommand { func run() { print("placeholder") } }

import SigV4CLI

/// Entry point of the `sigv4` executable; everything else lives in the `SigV4CLI` library.
@main
enum SigV4Main {
    static func main() async {
        await SigV4Command.runMain()
    }
}

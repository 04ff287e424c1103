import AWSSigV4
import Foundation
import Testing

/// The RDS IAM token against botocore's `generate_db_auth_token` with the same clock and keys.
@Suite struct RDSAuthTokenTests {
    static func botocoreToken(
        host: String, port: Int, user: String, region: String, credentials: Credentials,
        timestamp: String
    ) throws -> String {
        let python = ProcessInfo.processInfo.environment["VIDEOQUEUE_PYTHON"] ?? "python3"
        let script = """
            import datetime, sys, botocore.auth, botocore.session
            host, port, user, region, key, secret, token, stamp = sys.argv[1:9]
            fixed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
            botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed
            client = botocore.session.get_session().create_client(
                "rds", region_name=region, aws_access_key_id=key, aws_secret_access_key=secret,
                aws_session_token=token or None)
            print(client.generate_db_auth_token(DBHostname=host, Port=int(port), DBUsername=user, Region=region))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, "-c", script, host, String(port), user, region, credentials.accessKeyID, credentials.secretAccessKey,
            credentials.sessionToken ?? "", timestamp,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [
        ("videoqueue", nil as String?),
        ("iam user+1@x", "FwoGZXIvYXdzEJr//////////wEaDM+session/token="),
    ])
    func tokensEqualBotocoresForTheSameClock(user: String, session: String?) throws {
        let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: session)
        let timestamp = "20261203T101500Z"
        let date = try #require(AMZDate.parse(timestamp))
        let host = "videoqueue.cluster-abc123.eu-west-1.rds.amazonaws.com"
        let ours = try RDSAuthToken.make(host: host, port: 5432, user: user, region: "eu-west-1", credentials: credentials, date: date)
        let theirs = try Self.botocoreToken(host: host, port: 5432, user: user, region: "eu-west-1", credentials: credentials, timestamp: timestamp)
        // The same host, path, parameters and signature (botocore sorts the X-Amz parameters; RDS reads them by name).
        func parts(_ token: String) -> (base: Substring, query: [Substring]) {
            let split = token.split(separator: "?", maxSplits: 1)
            return (split[0], split.count > 1 ? split[1].split(separator: "&").sorted() : [])
        }
        #expect(parts(ours).base == parts(theirs).base)
        #expect(parts(ours).query == parts(theirs).query)
        #expect(ours.split(separator: "&").first == theirs.split(separator: "&").first, "Action=connect first")
        #expect(ours.hasPrefix("\(host):5432/?Action=connect&DBUser="))
        #expect(ours.contains("X-Amz-Expires=900"))
    }
}

import Foundation
import TestSupport
import Testing

@testable import AWSSigV4

@Suite("SharedFilesCredentialProvider and AWSSharedConfig")
struct SharedFilesCredentialProviderTests {
    static let credentialsFile = """
        # A comment line
        ; another comment line
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [work]
          aws_access_key_id=AKIDWORK   
        aws_secret_access_key   =   work-secret # inline comment
        aws_session_token = work-token ; inline comment too

        [shared]
        aws_access_key_id = AKIDFROMCREDENTIALSFILE
        aws_secret_access_key = secret-from-credentials-file
        """

    static let configFile = """
        [default]
        region = eu-west-1

        # config-only profile with keys
        [profile configonly]
        aws_access_key_id = AKIDCONFIGONLY
        aws_secret_access_key = config-only-secret
        region = us-west-2
        s3 =
            addressing_style = path
            max_concurrent_requests = 4

        [profile shared]
        aws_access_key_id = AKIDFROMCONFIGFILE
        aws_secret_access_key = secret-from-config-file
        aws_session_token = token-from-config-file
        region = ap-southeast-2

        [profile   spaced   ]   # a comment after the header
        region = ca-central-1

        [profile assumer]
        role_arn = arn:aws:iam::123456789012:role/example
        source_profile = default

        [sso-session corp]
        sso_region = us-east-1

        [work]
        region = this-is-not-a-profile-in-the-config-file
        """

    /// A home directory holding `~/.aws/credentials` and `~/.aws/config`, and its environment.
    struct Home {
        let directory: TemporaryDirectory
        var environment: [String: String]

        init(
            credentials: String? = SharedFilesCredentialProviderTests.credentialsFile,
            config: String? = SharedFilesCredentialProviderTests.configFile
        ) throws {
            directory = try TemporaryDirectory()
            if let credentials { try directory.write(".aws/credentials", credentials) }
            if let config { try directory.write(".aws/config", config) }
            environment = ["HOME": directory.path]
        }

        func provider(profile: String? = nil, _ extra: [String: String] = [:]) -> SharedFilesCredentialProvider {
            SharedFilesCredentialProvider(profile: profile, environment: environment.merging(extra) { $1 })
        }
    }

    // MARK: Credentials

    @Test func defaultProfileFromCredentialsFile() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let credentials = try await home.provider().credentials()
        #expect(credentials == Credentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"))
        #expect(home.provider().name == "shared files")
    }

    @Test func awsProfileSelectsProfileAndInlineCommentsAndSpacesAreStripped() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let credentials = try await home.provider(["AWS_PROFILE": "work"]).credentials()
        #expect(credentials.accessKeyID == "AKIDWORK")
        #expect(credentials.secretAccessKey == "work-secret")
        #expect(credentials.sessionToken == "work-token")
    }

    @Test func explicitProfileWinsOverAWSProfile() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let credentials = try await home.provider(profile: "work", ["AWS_PROFILE": "default"]).credentials()
        #expect(credentials.accessKeyID == "AKIDWORK")
    }

    @Test func profileOnlyInConfigFileUsesProfilePrefix() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let credentials = try await home.provider(["AWS_PROFILE": "configonly"]).credentials()
        #expect(credentials == Credentials(accessKeyID: "AKIDCONFIGONLY", secretAccessKey: "config-only-secret"))
    }

    @Test func credentialsFileOverridesConfigFileKeyByKey() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let credentials = try await home.provider(["AWS_PROFILE": "shared"]).credentials()
        #expect(credentials.accessKeyID == "AKIDFROMCREDENTIALSFILE")
        #expect(credentials.secretAccessKey == "secret-from-credentials-file")
        // Not set in the credentials file, so the config file's value remains, as in the AWS CLI.
        #expect(credentials.sessionToken == "token-from-config-file")
    }

    @Test func filePathsComeFromEnvironmentVariables() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let credentialsPath = try directory.write("elsewhere/creds.ini", "[custom]\naws_access_key_id = AKIDCUSTOM\naws_secret_access_key = custom-secret\n")
        let configPath = try directory.write("elsewhere/conf.ini", "[profile custom]\nregion = sa-east-1\n")
        let environment = [
            "HOME": "/nonexistent-home",
            "AWS_SHARED_CREDENTIALS_FILE": credentialsPath,
            "AWS_CONFIG_FILE": configPath,
            "AWS_PROFILE": "custom",
        ]
        let credentials = try await SharedFilesCredentialProvider(environment: environment).credentials()
        #expect(credentials.accessKeyID == "AKIDCUSTOM")
        #expect(try AWSSharedConfig.region(environment: environment) == "sa-east-1")
    }

    @Test func tildeInPathVariablesExpandsToHome() throws {
        let config = AWSSharedConfig(environment: [
            "HOME": "/home/someone",
            "AWS_SHARED_CREDENTIALS_FILE": "~/creds",
        ])
        #expect(config.credentialsFilePath == "/home/someone/creds")
        #expect(config.configFilePath == "/home/someone/.aws/config")
        #expect(config.profile == "default")
    }

    @Test func crlfLineEndingsAreAccepted() async throws {
        let home = try Home(credentials: "[default]\r\naws_access_key_id = AKIDCRLF\r\naws_secret_access_key = crlf-secret\r\n", config: nil)
        defer { home.directory.remove() }
        let credentials = try await home.provider().credentials()
        #expect(credentials == Credentials(accessKeyID: "AKIDCRLF", secretAccessKey: "crlf-secret"))
    }

    // MARK: Missing things

    @Test func missingFilesAreNotConfigured() async throws {
        let home = try Home(credentials: nil, config: nil)
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) { try await home.provider().credentials() }
        #expect(error?.code == .notConfigured)
        #expect(error?.message.contains(home.directory.path + "/.aws/credentials") == true)
    }

    @Test func missingDefaultProfileIsNotConfigured() async throws {
        let home = try Home(credentials: "[other]\naws_access_key_id = A\naws_secret_access_key = B\n", config: nil)
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) { try await home.provider().credentials() }
        #expect(error?.code == .notConfigured)
    }

    @Test func defaultProfileWithOnlyARegionIsNotConfigured() async throws {
        let home = try Home(credentials: nil, config: "[default]\nregion = us-east-1\n")
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) { try await home.provider().credentials() }
        #expect(error?.code == .notConfigured)
    }

    @Test func missingNamedProfileIsInvalidConfiguration() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) {
            try await home.provider(["AWS_PROFILE": "nosuchprofile"]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("profile nosuchprofile not found in") == true)
    }

    @Test func nonProfileConfigSectionsAreNotProfiles() async throws {
        let home = try Home(credentials: nil)
        defer { home.directory.remove() }
        // `[work]` in the config file is not `[profile work]`.
        let error = await #expect(throws: CredentialsError.self) {
            try await home.provider(["AWS_PROFILE": "work"]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test func profileWithOnlyKeyIDIsInvalidWithoutLeakingAnything() async throws {
        let home = try Home(credentials: "[default]\naws_access_key_id = AKIDHALF\n", config: nil)
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) { try await home.provider().credentials() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("aws_secret_access_key") == true)
    }

    @Test func roleProfilesAreReportedAsUnsupported() async throws {
        let home = try Home()
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) {
            try await home.provider(["AWS_PROFILE": "assumer"]).credentials()
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("role_arn") == true)
    }

    // MARK: Malformed files

    static let malformed: [(name: String, text: String, line: Int)] = [
        ("key outside any section", "aws_secret_access_key = LEAKY-SECRET-1\n[default]\n", 1),
        (
            "line that is neither section nor setting",
            "[default]\naws_access_key_id = AKID\n\nLEAKY-SECRET-2 without equals\n", 4
        ),
        ("unterminated section", "# comment\n[default]\naws_access_key_id = AKID\n[LEAKY-SECRET-3\n", 4),
        ("text after section header", "[default] LEAKY-SECRET-4\n", 1),
        ("setting without a key", "[default]\n= LEAKY-SECRET-5\n", 2),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedCredentialsFileGivesPathAndLineButNotContent(_ index: Int) async throws {
        let (name, text, line) = Self.malformed[index]
        let home = try Home(credentials: text, config: nil)
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self, "\(name)") { try await home.provider().credentials() }
        #expect(error?.code == .invalidConfiguration, "\(name)")
        #expect(error?.message.contains("line \(line)") == true, "\(name): \(error?.message ?? "")")
        #expect(error?.message.contains(home.directory.path + "/.aws/credentials") == true, "\(name)")
        #expect(error?.description.contains("LEAKY-SECRET") == false, "\(name)")
    }

    @Test func malformedConfigFileIsReportedToo() async throws {
        let home = try Home(config: "[default]\nregion = us-east-1\nLEAKY-SECRET\n")
        defer { home.directory.remove() }
        let error = await #expect(throws: CredentialsError.self) { try await home.provider().credentials() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("config, line 3") == true)
        #expect(error?.description.contains("LEAKY-SECRET") == false)

        let regionError = #expect(throws: CredentialsError.self) {
            try AWSSharedConfig.region(environment: home.environment)
        }
        #expect(regionError?.message.contains("line 3") == true)
    }

    // MARK: Parser details

    @Test func parserKeepsKeysCaseSensitiveAndSkipsContinuationLines() throws {
        let file = try AWSConfigFile(parsing: Self.configFile, kind: .config, path: "config")
        #expect(file.profiles["configonly"]?["s3"] == "addressing_style = path\nmax_concurrent_requests = 4")
        #expect(file.profiles["configonly"]?["addressing_style"] == nil)
        #expect(file.profiles["spaced"]?["region"] == "ca-central-1")
        #expect(file.profiles["corp"] == nil)
        #expect(file.profiles["work"] == nil)

        let cased = try AWSConfigFile(parsing: "[p]\nAWS_ACCESS_KEY_ID = upper\n", kind: .credentials, path: "c")
        #expect(cased.profiles["p"]?["aws_access_key_id"] == nil)
        #expect(cased.profiles["p"]?["AWS_ACCESS_KEY_ID"] == "upper")
    }

    @Test func inlineCommentNeedsPrecedingWhitespace() throws {
        let file = try AWSConfigFile(
            parsing: "[p]\na = value#not-a-comment\nb = value #a comment\nc = x;y\nd = x\t; tab comment\n",
            kind: .credentials,
            path: "c"
        )
        #expect(file.profiles["p"] == ["a": "value#not-a-comment", "b": "value", "c": "x;y", "d": "x"])
    }

    // MARK: Region

    @Test func regionOfDefaultAndNamedProfiles() throws {
        let home = try Home()
        defer { home.directory.remove() }
        #expect(try AWSSharedConfig.region(environment: home.environment) == "eu-west-1")
        #expect(try AWSSharedConfig.region(profile: "configonly", environment: home.environment) == "us-west-2")
        #expect(
            try AWSSharedConfig.region(environment: home.environment.merging(["AWS_PROFILE": "shared"]) { $1 })
                == "ap-southeast-2"
        )
        #expect(try AWSSharedConfig.region(profile: "nosuchprofile", environment: home.environment) == nil)
        #expect(try AWSSharedConfig.region(profile: "work", environment: home.environment) == nil)
    }

    @Test func resolvedRegionPrefersEnvironmentVariables() throws {
        let home = try Home()
        defer { home.directory.remove() }
        #expect(try AWSSharedConfig.resolvedRegion(environment: home.environment) == "eu-west-1")
        #expect(
            try AWSSharedConfig.resolvedRegion(environment: home.environment.merging(["AWS_DEFAULT_REGION": "us-east-2"]) { $1 })
                == "us-east-2"
        )
        #expect(
            try AWSSharedConfig.resolvedRegion(
                environment: home.environment.merging(["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "us-east-2"]) { $1 }
            ) == "eu-north-1"
        )
        let empty = try Home(credentials: nil, config: nil)
        defer { empty.directory.remove() }
        #expect(try AWSSharedConfig.resolvedRegion(environment: empty.environment) == nil)
    }
}

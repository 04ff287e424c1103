import AWSSigV4
import Foundation
import SigV4CLI
import Testing

/// The official AWS SigV4 test suite (`shared/testdata/aws-signing-test-suite/v4`), every case in both forms.
@Suite struct TestSuiteConformanceTests {
    @Test func suiteIsPresentWithAll38Cases() {
        #expect(TestData.sigV4CaseNames.count == 38, "expected the 38 cases of the AWS SigV4 test suite at \(TestData.sigV4Suite.path)")
    }

    private func signer(for caseName: String) throws -> TestSuiteSigner {
        let request = try RawHTTPRequest(contentsOf: TestData.sigV4Suite.appendingPathComponent("\(caseName)/request.txt").path)
        let context = try TestSuiteContext(contentsOf: TestData.sigV4Suite.appendingPathComponent("\(caseName)/context.json").path)
        return TestSuiteSigner(request: request, context: context)
    }

    @Test(arguments: TestData.sigV4CaseNames)
    func headerSignatureMatchesSuite(caseName: String) throws {
        let output = try signer(for: caseName).signWithHeaders()
        #expect(output.signature.canonicalRequest.text == (try TestData.sigV4File(caseName, "header-canonical-request.txt")))
        #expect(output.signature.stringToSign.text == (try TestData.sigV4File(caseName, "header-string-to-sign.txt")))
        #expect(output.signature.signature == (try TestData.sigV4File(caseName, "header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(output.signedRequest == (try TestData.sigV4File(caseName, "header-signed-request.txt")))
    }

    @Test(arguments: TestData.sigV4CaseNames)
    func presignedSignatureMatchesSuite(caseName: String) throws {
        let output = try signer(for: caseName).presign()
        #expect(output.signature.canonicalRequest.text == (try TestData.sigV4File(caseName, "query-canonical-request.txt")))
        #expect(output.signature.stringToSign.text == (try TestData.sigV4File(caseName, "query-string-to-sign.txt")))
        #expect(output.signature.signature == (try TestData.sigV4File(caseName, "query-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(output.signedRequest == (try TestData.sigV4File(caseName, "query-signed-request.txt")))
    }

    @Test func aWrongSecretChangesEverySignature() throws {
        for caseName in TestData.sigV4CaseNames {
            var suite = try signer(for: caseName)
            suite.context.credentials.secretAccessKey += "x"
            let output = try suite.signWithHeaders()
            #expect(output.signature.signature != (try TestData.sigV4File(caseName, "header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

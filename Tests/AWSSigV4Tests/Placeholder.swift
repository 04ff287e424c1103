import Testing
@testable import AWSSigV4

import Foundation
import SalurCLI

exit(await Salurctl.main(arguments: Array(CommandLine.arguments.dropFirst())))

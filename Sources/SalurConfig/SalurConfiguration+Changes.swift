extension SalurConfiguration {
    /// The dotted keys whose values differ between `self` and `newer`, in file order — what a reload
    /// reports having changed. A `[bank]` table added or removed is reported as `bank`.
    public func changedKeys(to newer: SalurConfiguration) -> [String] {
        var changed: [String] = []
        func check<T: Equatable>(_ key: String, _ old: T, _ new: T) {
            if old != new { changed.append(key) }
        }
        check("database.path", database.path, newer.database.path)
        check("database.busy_timeout_ms", database.busyTimeoutMs, newer.database.busyTimeoutMs)
        check("database.url", database.redactedURL, newer.database.redactedURL)
        check("database.password_file", database.passwordFile, newer.database.passwordFile)
        check("database.max_connections", database.maxConnections, newer.database.maxConnections)
        check("database.synchronous_commit", database.synchronousCommit, newer.database.synchronousCommit)

        switch (bank, newer.bank) {
        case let (old?, new?):
            check("bank.base_url", old.baseURL, new.baseURL)
            check("bank.path_prefix", old.pathPrefix, new.pathPrefix)
            check("bank.partner_id", old.partnerID, new.partnerID)
            check("bank.client_key", old.clientKey, new.clientKey)
            check("bank.client_secret_file", old.clientSecretFile, new.clientSecretFile)
            check("bank.private_key_file", old.privateKeyFile, new.privateKeyFile)
            check("bank.channel_id", old.channelID, new.channelID)
            check("bank.source_account", old.sourceAccount, new.sourceAccount)
            check("bank.ca_file", old.caFile, new.caFile)
            check("bank.client_cert_file", old.clientCertFile, new.clientCertFile)
            check("bank.client_key_file", old.clientKeyFile, new.clientKeyFile)
            check("bank.max_in_flight", old.maxInFlight, new.maxInFlight)
            check("bank.connect_timeout_ms", old.connectTimeoutMs, new.connectTimeoutMs)
            check("bank.request_timeout_ms", old.requestTimeoutMs, new.requestTimeoutMs)
            check("bank.token_refresh_margin_seconds", old.tokenRefreshMarginSeconds, new.tokenRefreshMarginSeconds)
            check("bank.tls_allow_1_2", old.tlsAllow12, new.tlsAllow12)
            check("bank.proxy", old.proxy, new.proxy)
            check("bank.paths.token", old.paths.token, new.paths.token)
            check("bank.paths.transfer_intrabank", old.paths.transferIntrabank, new.paths.transferIntrabank)
            check("bank.paths.transfer_interbank", old.paths.transferInterbank, new.paths.transferInterbank)
            check("bank.paths.transfer_status", old.paths.transferStatus, new.paths.transferStatus)
            check("bank.paths.account_inquiry_internal", old.paths.accountInquiryInternal, new.paths.accountInquiryInternal)
            check("bank.paths.balance_inquiry", old.paths.balanceInquiry, new.paths.balanceInquiry)
            check("bank.paths.transfer_rtgs", old.paths.transferRTGS, new.paths.transferRTGS)
            check("bank.paths.transfer_skn", old.paths.transferSKN, new.paths.transferSKN)
            check("bank.paths.account_inquiry_external", old.paths.accountInquiryExternal, new.paths.accountInquiryExternal)
            check("bank.routing", old.routing, new.routing)
            check("bank.max_requests_per_second", old.maxRequestsPerSecond, new.maxRequestsPerSecond)
        case (nil, nil):
            break
        default:
            changed.append("bank")
        }

        check("batching.max_items", batching.maxItems, newer.batching.maxItems)
        check("batching.max_amount", batching.maxAmount, newer.batching.maxAmount)
        check("batching.approval_required", batching.approvalRequired, newer.batching.approvalRequired)
        check("batching.distinct_approver", batching.distinctApprover, newer.batching.distinctApprover)

        check("retry.base_delay_ms", retry.baseDelayMs, newer.retry.baseDelayMs)
        check("retry.max_delay_ms", retry.maxDelayMs, newer.retry.maxDelayMs)
        check("retry.max_attempts", retry.maxAttempts, newer.retry.maxAttempts)
        check("retry.inquiry_delay_ms", retry.inquiryDelayMs, newer.retry.inquiryDelayMs)
        check("retry.breaker_threshold", retry.breakerThreshold, newer.retry.breakerThreshold)
        check("retry.breaker_cooldown_ms", retry.breakerCooldownMs, newer.retry.breakerCooldownMs)

        check("engine.poll_interval_ms", engine.pollIntervalMs, newer.engine.pollIntervalMs)
        check("engine.chunk_size", engine.chunkSize, newer.engine.chunkSize)
        check("engine.shutdown_timeout_ms", engine.shutdownTimeoutMs, newer.engine.shutdownTimeoutMs)
        check("engine.watchdog_interval_ms", engine.watchdogIntervalMs, newer.engine.watchdogIntervalMs)
        check("engine.lease_ms", engine.leaseMs, newer.engine.leaseMs)
        check("engine.account_recheck_days", engine.accountRecheckDays, newer.engine.accountRecheckDays)

        check("log.level", log.level, newer.log.level)
        check("metrics.listen", metrics.listen, newer.metrics.listen)
        return changed
    }
}

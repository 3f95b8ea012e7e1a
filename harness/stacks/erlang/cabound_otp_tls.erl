%% cabound_otp_tls — the stack half of the Erlang shim: one case over a
%% connected gen_tcp socket with OTP's ssl application, both roles, TLS 1.2
%% and 1.3. Every behaviour recorded here is cited in NOTES.md (OTP 25.2.3,
%% ssl 10.8.7, lib/ssl/src/).
-module(cabound_otp_tls).
-export([sources/0, selects/0, run/2]).

%% sources: OTP builds the CertificateRequest's list only from the
%% certificates in its trust store (ssl_handshake:certificate_authorities/2),
%% so `trust-store` is its one way to set a list; `none` is the TLS 1.3
%% option {certificate_authorities, false}, which leaves the extension out.
%% OTP has no API that takes a list of names (`explicit`) or raw bytes.
sources() -> [<<"trust-store">>, <<"none">>].

%% selects: the client picks its certificate inside the library
%% (tls_dtls_connection:select_client_cert_key_pair/8) and no API hands the
%% received list to the application, so `native` is the only mode.
selects() -> [<<"native">>].

%% run(Case, TcpSocket) -> Obs. TcpSocket is a connected, passive gen_tcp
%% socket; run closes it the way the contract says before it returns.
%% Obs keys: unsupported => Reason (nothing else), or handshake_ok, error
%% ({Code, Text} | undefined), alert_sent, alert_received (integer |
%% undefined), peer_cert (DER | undefined), handshake_us.
run(#{role := server, tls := <<"1.2">>, source := <<"none">>}, Tcp) ->
    gen_tcp:close(Tcp),
    #{unsupported => <<"erlang has no TLS 1.2 CertificateRequest without a list: "
                       "ssl_handshake:certificate_request/4 always lists the subjects "
                       "of the verification store">>};
run(#{role := server, source := <<"none">>, trust := undefined}, Tcp) ->
    gen_tcp:close(Tcp),
    #{unsupported => <<"calist_source none needs trust (the verification store)">>};
run(Case, Tcp) ->
    Mon = erlang:monitor(port, Tcp),
    T0 = erlang:monotonic_time(microsecond),
    Obs0 = case maps:get(role, Case) of
               server -> server(Case, Tcp);
               client -> client(Case, Tcp)
           end,
    Obs = Obs0#{handshake_us => erlang:monotonic_time(microsecond) - T0},
    await_closed(Tcp, Mon, maps:get(close, Obs0, undefined), maps:get(timeout_ms, Case)),
    maps:remove(close, Obs).

server(#{cert := Cert, key := Key, source := Source, require := Require,
         timeout_ms := Timeout} = Case, Tcp) ->
    {Store, CaExt} = case Source of
                         <<"trust-store">> -> {maps:get(calist_pem, Case), []};
                         <<"none">> -> {maps:get(trust, Case), [{certificate_authorities, false}]}
                     end,
    Opts = base_opts(Case) ++ CaExt ++
        [{certfile, Cert}, {keyfile, Key},
         {verify, verify_peer}, {fail_if_no_peer_cert, Require}, {cacertfile, Store}],
    case ssl:handshake(Tcp, Opts, Timeout) of
        {ok, S} ->
            keylog(Case, S),
            Peer = case ssl:peercert(S) of
                       {ok, Der} -> Der;
                       _ -> undefined
                   end,
            %% The one application byte, so that a TLS 1.3 client learns of
            %% the result of its Finished before it reports.
            Obs = case ssl:send(S, <<"x">>) of
                      ok -> ok_obs();
                      {error, Why} -> failed_obs(Why)
                  end,
            Obs#{peer_cert => Peer, close => S};
        {error, Why} ->
            failed_obs(Why)
    end.

client(#{trust := Trust, creds := Creds, timeout_ms := Timeout} = Case, Tcp) ->
    %% certs_keys (OTP 25) holds every credential, in request order; OTP
    %% chooses among them by itself.
    CertsKeys = case Creds of
                    [] -> [];
                    _ -> [{certs_keys, [#{certfile => C, keyfile => K} || {C, K} <- Creds]}]
                end,
    TrustOpt = case Trust of
                   undefined -> [];
                   _ -> [{cacertfile, Trust}]
               end,
    %% server_name_indication disable: no SNI and, with it, no host name
    %% check (ssl_certificate:validate/3 skips verify_hostname for it).
    Opts = base_opts(Case) ++ CertsKeys ++ TrustOpt ++
        [{verify, verify_peer}, {server_name_indication, disable}],
    case ssl:connect(Tcp, Opts, Timeout) of
        {ok, S} ->
            keylog(Case, S),
            Obs = case ssl:recv(S, 1, Timeout) of
                      {ok, <<"x">>} -> ok_obs();
                      {ok, Other} -> failed_obs({unexpected_data, Other});
                      {error, Why} -> failed_obs(Why)
                  end,
            Obs#{close => S};
        {error, Why} ->
            failed_obs(Why)
    end.

%% base_opts: only the requested version; the socket stays passive; the
%% secrets are kept for the key log. Every size limit keeps OTP's default.
%% TLS 1.2 sessions are not reused: a shim process serves many cases, the
%% harness's address is the same for all of them, and OTP's client session
%% cache (keyed by peer address) would resume with OTP's server cache and
%% skip the CertificateRequest (reuse_sessions defaults to true,
%% ssl_internal.hrl; the option exists for TLS 1.2 and below only, TLS 1.3
%% tickets stay at their default, disabled).
base_opts(#{tls := <<"1.2">>}) ->
    [{versions, ['tlsv1.2']}, {reuse_sessions, false}, {active, false}, {keep_secrets, true}];
base_opts(#{tls := <<"1.3">>}) ->
    [{versions, ['tlsv1.3']}, {active, false}, {keep_secrets, true}].

ok_obs() ->
    #{handshake_ok => true, error => undefined, alert_sent => undefined, alert_received => undefined}.

%% failed_obs: the library's error term as text; for {tls_alert, {Desc,
%% Txt}} the code is the AlertDescription and the direction is what OTP's
%% own text says: ssl_alert:reason_code/4 writes "generated ... ALERT" for
%% an alert this side sent (own_alert_txt) and "received ... ALERT" for the
%% peer's (alert_txt). Nothing else is inferred.
failed_obs(Why) ->
    Text = unicode:characters_to_binary(io_lib:format("~0tp", [Why])),
    {Code, Sent, Received} =
        case Why of
            {tls_alert, {Desc, Txt}} ->
                N = alert_number(Desc),
                case {string:find(Txt, " generated "), string:find(Txt, " received ")} of
                    {nomatch, nomatch} -> {code(N), undefined, undefined};
                    {nomatch, _} -> {code(N), undefined, N};
                    {_, _} -> {code(N), N, undefined}
                end;
            _ ->
                {0, undefined, undefined}
        end,
    #{handshake_ok => false, error => {Code, Text}, alert_sent => Sent, alert_received => Received}.

code(undefined) -> 0;
code(N) -> N.

%% alert_number: the AlertDescription for OTP's atom; the pairs are
%% ssl_alert.hrl's defines as ssl_alert:description_atom/1 names them.
%% 'unsupported/unknown_alert' (a number OTP does not know) stays undefined.
alert_number(Desc) ->
    Table = #{close_notify => 0, unexpected_message => 10, bad_record_mac => 20,
              decryption_failed_reserved => 21, record_overflow => 22, decompression_failure => 30,
              handshake_failure => 40, no_certificate_reserved => 41, bad_certificate => 42,
              unsupported_certificate => 43, certificate_revoked => 44, certificate_expired => 45,
              certificate_unknown => 46, illegal_parameter => 47, unknown_ca => 48,
              access_denied => 49, decode_error => 50, decrypt_error => 51,
              export_restriction => 60, protocol_version => 70, insufficient_security => 71,
              internal_error => 80, inappropriate_fallback => 86, user_canceled => 90,
              no_renegotiation => 100, missing_extension => 109, unsupported_extension => 110,
              certificate_unobtainable => 111, unrecognized_name => 112,
              bad_certificate_status_response => 113, bad_certificate_hash_value => 114,
              unknown_psk_identity => 115, certificate_required => 116,
              no_application_protocol => 120},
    maps:get(Desc, Table, undefined).

%% keylog: with keep_secrets, connection_information's `keylog` item holds
%% NSS key-log lines (ssl_gen_statem:maybe_add_keylog/2): CLIENT_RANDOM for
%% TLS 1.2, the handshake and first traffic secrets for TLS 1.3. OTP 25
%% answers it only in the `connection` state, so it is asked right after the
%% handshake returns; a failed handshake gives no lines (NOTES.md: asked
%% during a TLS 1.3 handshake the call ends it with unexpected_message).
keylog(#{keylog := undefined}, _S) ->
    ok;
keylog(#{keylog := Path}, S) ->
    case ssl:connection_information(S, [keylog]) of
        {ok, Info} ->
            case proplists:get_value(keylog, Info) of
                undefined -> ok;
                Lines -> ok = file:write_file(Path, [[L, $\n] || L <- Lines], [append])
            end;
        {error, _} ->
            ok
    end.

%% await_closed ends the connection the way the contract says: ssl:close/2
%% sends close_notify, half-closes and reads until the peer closes, at most
%% a second (tls_gen_connection:close/4, {close, Timeout}). After a failed
%% handshake OTP's connection process has already sent its alert and closes
%% the socket itself (close/4 with own_alert or transport_closed). Either
%% way the reply waits until the socket is gone, so that the connection is
%% over when the observation is written; past the deadline it is closed.
await_closed(Tcp, Mon, S, TimeoutMs) ->
    Linger = min(TimeoutMs, 1000),
    case S of
        undefined -> ok;
        _ -> _ = ssl:close(S, Linger)
    end,
    receive
        {'DOWN', Mon, port, Tcp, _} -> ok
    after Linger + 500 ->
            erlang:demonitor(Mon, [flush]),
            catch erlang:port_close(Tcp),
            ok
    end.

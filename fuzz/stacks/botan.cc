/* botan.cc — the C++ half of the Botan 2.19 glue (see botan.c and botan.h):
 * a TLS::Server and a TLS::Client over the caller's transport, configured
 * as the shim configures them (harness/stacks/botan/shim_botan.cpp): TLS 1.2
 * only, a client certificate requested, no revocation data required. The
 * server's list is the all_subjects() of the one Certificate_Store that
 * trusted_certificate_authorities returns (tls_server.cpp,
 * Server::session_create); the client's is what find_cert_chain receives. */
#include "botan.h"

#include <botan/auto_rng.h>
#include <botan/ber_dec.h>
#include <botan/certstor.h>
#include <botan/credentials_manager.h>
#include <botan/data_src.h>
#include <botan/pkcs8.h>
#include <botan/pkix_types.h>
#include <botan/tls_callbacks.h>
#include <botan/tls_client.h>
#include <botan/tls_policy.h>
#include <botan/tls_server.h>
#include <botan/tls_session_manager.h>
#include <botan/x509cert.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace TLS = Botan::TLS;
using Botan::X509_Certificate;
using Botan::X509_DN;

struct Creds {
    std::unique_ptr<X509_Certificate> ca, scert, ccert;
    std::unique_ptr<Botan::Private_Key> skey, ckey;
    Botan::Certificate_Store_In_Memory ca_store;
    bool verify = false;
};
Creds *g;

Botan::RandomNumberGenerator &rng()
{
    static Botan::AutoSeeded_RNG r;
    return r;
}

class Policy final : public TLS::Policy {
  public:
    bool allow_tls10() const override { return false; }
    bool allow_tls11() const override { return false; }
    bool allow_dtls10() const override { return false; }
    bool allow_dtls12() const override { return false; }
    bool request_client_certificate_authentication() const override { return true; }
    bool require_client_certificate_authentication() const override { return g->verify; }
    bool require_cert_revocation_info() const override { return false; }
};

/* Names_Store: an explicit list of names, no certificates. */
class Names_Store final : public Botan::Certificate_Store {
  public:
    std::vector<X509_DN> names;
    std::vector<X509_DN> all_subjects() const override { return names; }
    std::shared_ptr<const X509_Certificate> find_cert(const X509_DN &, const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::vector<std::shared_ptr<const X509_Certificate>> find_all_certs(const X509_DN &,
                                                                         const std::vector<uint8_t> &) const override
    {
        return {};
    }
    std::shared_ptr<const X509_Certificate> find_cert_by_pubkey_sha1(const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::shared_ptr<const X509_Certificate> find_cert_by_raw_subject_dn_sha256(const std::vector<uint8_t> &) const override
    {
        return nullptr;
    }
    std::shared_ptr<const Botan::X509_CRL> find_crl_for(const X509_Certificate &) const override { return nullptr; }
};

class Side final : public TLS::Callbacks, public Botan::Credentials_Manager {
  public:
    Side(fzb_io io, bool server) : m_io(io), m_server(server) {}
    fzb_list_hooks hooks{};
    Names_Store names;
    Botan::Certificate_Store_In_Memory certs;
    bool use_certs = false, listed = false;
    Policy policy;
    TLS::Session_Manager_Noop sessions;
    std::unique_ptr<TLS::Channel> ch;
    std::string error;

    void tls_emit_data(const uint8_t data[], size_t size) override { m_io.write(m_io.ctx, data, size); }
    void tls_record_received(uint64_t, const uint8_t[], size_t) override {}
    void tls_alert(TLS::Alert) override {}
    bool tls_session_established(const TLS::Session &) override { return false; }
    void tls_verify_cert_chain(const std::vector<X509_Certificate> &chain,
                               const std::vector<std::shared_ptr<const Botan::OCSP::Response>> &ocsp,
                               const std::vector<Botan::Certificate_Store *> &, Botan::Usage_Type usage,
                               const std::string &hostname, const TLS::Policy &pol) override
    {
        if (g->verify) /* against the fuzz CA, whatever the list's store holds */
            TLS::Callbacks::tls_verify_cert_chain(chain, ocsp, {&g->ca_store}, usage, hostname, pol);
    }

    std::vector<Botan::Certificate_Store *> trusted_certificate_authorities(const std::string &type,
                                                                           const std::string &) override
    {
        if (type != "tls-server" || !listed)
            return {};
        return {use_certs ? static_cast<Botan::Certificate_Store *>(&certs) : &names};
    }
    std::vector<X509_Certificate> cert_chain(const std::vector<std::string> &, const std::string &,
                                             const std::string &) override
    {
        return {m_server ? *g->scert : *g->ccert};
    }
    std::vector<X509_Certificate> find_cert_chain(const std::vector<std::string> &types,
                                                  const std::vector<X509_DN> &cas, const std::string &type,
                                                  const std::string &ctx) override
    {
        if (!m_server && hooks.begin) {
            hooks.begin(hooks.ctx);
            for (const auto &dn : cas) {
                std::vector<uint8_t> der = dn.BER_encode();
                hooks.dn(hooks.ctx, der.data(), der.size());
            }
        }
        return Credentials_Manager::find_cert_chain(types, cas, type, ctx);
    }
    Botan::Private_Key *private_key_for(const X509_Certificate &, const std::string &, const std::string &) override
    {
        return m_server ? g->skey.get() : g->ckey.get();
    }

    size_t read(uint8_t *p, size_t max) { return m_io.read(m_io.ctx, p, max); }

  private:
    fzb_io m_io;
    bool m_server;
};

template <class T> std::unique_ptr<T> der_object(const uint8_t *p, size_t n)
{
    return std::unique_ptr<T>(new T(p, n));
}

} // namespace

extern "C" int fzb_init(const uint8_t *ca, size_t ca_len, const uint8_t *scert, size_t scert_len,
                        const uint8_t *skey, size_t skey_len, const uint8_t *ccert, size_t ccert_len,
                        const uint8_t *ckey, size_t ckey_len, int verify_peers)
{
    try {
        g = new Creds;
        g->ca = der_object<X509_Certificate>(ca, ca_len);
        g->scert = der_object<X509_Certificate>(scert, scert_len);
        g->ccert = der_object<X509_Certificate>(ccert, ccert_len);
        Botan::DataSource_Memory sk(skey, skey_len), ck(ckey, ckey_len);
        g->skey = Botan::PKCS8::load_key(sk);
        g->ckey = Botan::PKCS8::load_key(ck);
        g->ca_store.add_certificate(*g->ca);
        g->verify = verify_peers != 0;
        (void)rng();
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fzb_init: %s\n", e.what());
        return -1;
    }
}

extern "C" void *fzb_server_new(fzb_io io, enum fzb_list kind, const uint8_t *const *items, const size_t *lens,
                                size_t n, int *taken)
{
    try {
        std::unique_ptr<Side> s(new Side(io, true));
        s->listed = kind != FZB_LIST_NONE;
        s->use_certs = kind == FZB_LIST_CERTS;
        for (size_t i = 0; i < n; i++) {
            taken[i] = 0;
            try {
                if (kind == FZB_LIST_NAMES) {
                    X509_DN dn;
                    Botan::BER_Decoder dec(items[i], lens[i]);
                    dec.decode(dn);
                    dec.verify_end();
                    s->names.names.push_back(dn);
                } else {
                    s->certs.add_certificate(X509_Certificate(items[i], lens[i]));
                }
                taken[i] = 1;
            } catch (const Botan::Exception &) {
                /* not configured: Botan's API does not take it */
            }
        }
        s->ch.reset(new TLS::Server(*s, s->sessions, *s, s->policy, rng()));
        return s.release();
    } catch (const std::bad_alloc &) {
        return nullptr;
    }
}

extern "C" void *fzb_client_new(fzb_io io, fzb_list_hooks hooks)
{
    try {
        std::unique_ptr<Side> s(new Side(io, false));
        s->hooks = hooks;
        s->ch.reset(new TLS::Client(*s, s->sessions, *s, s->policy, rng(), TLS::Server_Information(),
                                    TLS::Protocol_Version::TLS_V12));
        return s.release();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fzb_client_new: %s\n", e.what());
        return nullptr;
    }
}

extern "C" int fzb_step(void *side)
{
    Side *s = static_cast<Side *>(side);
    if (!s->error.empty() || s->ch->is_closed())
        return -1;
    uint8_t buf[16384];
    try {
        size_t n;
        while ((n = s->read(buf, sizeof(buf))) > 0)
            s->ch->received_data(buf, n);
    } catch (const std::exception &e) {
        s->error = e.what();
        return -1;
    }
    if (s->ch->is_active())
        return 1;
    return s->ch->is_closed() ? -1 : 0;
}

extern "C" const char *fzb_error(void *side)
{
    return static_cast<Side *>(side)->error.c_str();
}

extern "C" void fzb_free(void *side)
{
    Side *s = static_cast<Side *>(side);
    s->ch.reset();
    delete s;
}

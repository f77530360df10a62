// Owning handles for libnftnl objects and the libmnl socket: every nftnl_*_alloc() and
// mnl_socket_open() result lives in one of these, so no early return can leak it.
#pragma once

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <memory>

namespace lvs::base {

template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using UniqueNftTable = std::unique_ptr<nftnl_table, CFree<nftnl_table_free>>;
using UniqueNftChain = std::unique_ptr<nftnl_chain, CFree<nftnl_chain_free>>;
using UniqueNftRule = std::unique_ptr<nftnl_rule, CFree<nftnl_rule_free>>;
// An expression is owned here only until nftnl_rule_add_expr() hands it to its rule.
using UniqueNftExpr = std::unique_ptr<nftnl_expr, CFree<nftnl_expr_free>>;
using UniqueNftUdataBuf = std::unique_ptr<nftnl_udata_buf, CFree<nftnl_udata_buf_free>>;
using UniqueMnlSocket = std::unique_ptr<mnl_socket, CFree<mnl_socket_close>>;

}  // namespace lvs::base

//! A company's properties: name, domain, industry, city, size, website.
//!
//! Exists so the company's definitions read as one page of a portal's company settings; the
//! industry options are the generator's own list, so the two cannot drift apart.

use super::PropType::{Enumeration, Number, String as Str};
use super::builder::{header, owner};
use super::{Options, PropDef};

/// The group of company properties, and of those created through the control API.
pub(super) const GROUP: &str = "companyinformation";

/// The record-header properties of a company.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

/// The properties the generator sets or may set on a company.
pub(super) const PROPERTIES: &[PropDef] = &[
    PropDef::new(
        "name",
        "Company name",
        Str,
        "text",
        GROUP,
        "The name of the company or organization.",
    ),
    PropDef::new(
        "domain",
        "Company Domain Name",
        Str,
        "text",
        GROUP,
        "The domain name of the company or organization",
    ),
    PropDef::new(
        "industry",
        "Industry",
        Enumeration,
        "select",
        GROUP,
        "The type of business the company performs.",
    )
    .options(Options::Values(crate::generate::words::INDUSTRIES)),
    PropDef::new(
        "city",
        "City",
        Str,
        "text",
        GROUP,
        "City where the company is located.",
    ),
    PropDef::new(
        "numberofemployees",
        "Number of Employees",
        Number,
        "number",
        GROUP,
        "The total number of employees who work for the company or organization.",
    ),
    owner(GROUP),
    PropDef::new(
        "website",
        "Website URL",
        Str,
        "text",
        GROUP,
        "The main website of the company or organization.",
    ),
    PropDef::new(
        "phone",
        "Phone Number",
        Str,
        "phonenumber",
        GROUP,
        "A company's primary phone number.",
    ),
];
